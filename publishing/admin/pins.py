"""Admin for pins: the form written through ``pin_create``/``pin_update`` (times typed in the
project's zone, the carousel rows in the same call) and the change list and page."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextInputWidget
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from pinpublisher.admin_display import badge
from pinpublisher.timezones import format_when, zone_name, zone_of
from pinterest.models import BoardSection
from publishing.admin.carousel import CarouselFormSet, CarouselItemInline, ImageUploadInput
from publishing.admin.display import (
    STATUS_COLORS,
    pin_image_url,
    pin_page_zone,
    pin_thumbnail,
    pin_zone,
    standin_pin_page,
    waiting_badge,
)
from publishing.admin.pin_actions import PinActions
from publishing.admin.records import PublishAttemptInline
from publishing.admin.scheduling import InlineClasses, PinSchedulingAdmin
from publishing.admin.service_forms import ServiceForm, ServiceFormAdmin
from publishing.models import Pin, PinKind, PinStatus
from publishing.services import content
from publishing.services.queue_slots import local_to_utc


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BoardSection) -> str:
        return f"{obj.board.name} › {obj.name}"


class WallTimeField(forms.SplitDateTimeField):
    """A date and a time as typed, without a zone: the form reads it in the zone of the pin's
    project (``PinForm.clean``), not in the server's."""

    def compress(self, data_list: tuple[date, time] | None) -> datetime | None:
        if not data_list:
            return None
        day, at = data_list
        if day in self.empty_values:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if at in self.empty_values:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        return datetime.combine(day, at)


class PinForm(ServiceForm):
    """A pin as the API takes it: a draft is created by ``pin_create``, a change goes through
    ``pin_update`` (and a new ``scheduled_at`` through ``pin_schedule``/``pin_unschedule``).
    The carousel rows (``CarouselItemInline``) go to the same call as one list."""

    # A plain file field, not an ImageField: the service judges the upload, with the API's messages.
    image = forms.FileField(required=False, widget=ImageUploadInput)
    video = forms.FileField(required=False, widget=ImageUploadInput,
                            help_text="MP4, MOV or M4V, instead of an image. Pinterest processes it when published.")
    cover_image = forms.FileField(required=False, widget=ImageUploadInput,
                                  help_text="A video pin's cover (or give a URL or a key-frame time).")
    # No form-level max_length (the model's column would give Django's message): the service
    # judges the text's length, with the API's message. The browser still hears of the limit.
    title = forms.CharField(
        required=False,
        widget=AdminTextInputWidget(attrs={"maxlength": content.PIN_TEXT_MAX["title"], "size": 80}),
    )
    # A plain text field, not a URLField: the service judges the link, with the API's messages.
    link = forms.CharField(
        required=False, help_text="Where the pin leads; blank: its article's URL.",
        widget=AdminTextInputWidget(attrs={"maxlength": content.URL_MAX, "size": 80}),
    )
    # Typed and shown in the project's zone, as every list, calendar and message shows the pin's times.
    scheduled_at = WallTimeField(required=False, widget=AdminSplitDateTime, label="Scheduled at")

    class Meta:
        model = Pin
        fields = (
            "project", "article", "board", "board_section", "title", "description", "alt_text", "link",
            "image", "image_url", "video", "cover_image", "cover_image_url", "cover_key_frame_seconds",
            "scheduled_at",
        )
        field_classes = {"board_section": SectionChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        when = self.fields.get("scheduled_at")
        #: The zone the pin's time is shown and typed in (None for a new pin: its project's, once chosen).
        self.zone = pin_page_zone(self.instance) if self.instance.project_id else None
        if when is not None and self.zone is not None:
            name, project_zone = zone_name(self.zone), self.instance.project.timezone
            when.help_text = (
                f"In {name}, the time zone of the pin's project." if name == project_zone else
                f"In {name}: the project's time zone ({project_zone!r}) cannot show this pin's times."
            )
            if self.instance.scheduled_at is not None:
                self.initial["scheduled_at"] = self.instance.scheduled_at.astimezone(self.zone).replace(tzinfo=None)
        elif when is not None:
            when.help_text = "In the time zone of the pin's project."
        section = self.fields.get("board_section")
        if isinstance(section, forms.ModelChoiceField):
            assert section.queryset is not None  # the model field's choices
            queryset = section.queryset.filter(is_archived=False).select_related("board")
            if self.instance.board_id:
                # The pin's board's sections; another board's is refused by the service anyway.
                queryset = queryset.filter(board_id=self.instance.board_id)
            section.queryset = queryset

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        when = cleaned.get("scheduled_at")
        project = cleaned.get("project")
        zone = self.zone
        if project is not None and (zone is None or project.pk != self.instance.project_id):
            zone = zone_of(project.timezone)  # a new pin, or one moving to another project
        if when is not None and zone is not None:
            # The wall time in the zone of the pin's project; a time the zone skips or repeats is
            # read as the queue reads a slot's.
            try:
                cleaned["scheduled_at"] = local_to_utc(day=when.date(), at=when.time(), zone=zone)
            except OverflowError:
                self.add_error("scheduled_at", f"This time is out of range in {zone_name(zone)}.")
        return cleaned

    def write(self) -> Pin:
        data = self.changed_values(ids=("project", "article", "board", "board_section"))
        formset = getattr(self.instance, "_carousel_formset", None)
        if formset is not None:
            if not formset.is_valid():
                # The rows show their own errors; the pin must not change without them.
                raise ValidationError({"carousel": ["Correct the carousel rows below."]})
            items = formset.items()
            if items is not None:
                data["carousel"] = items
        if self.adding:
            tenant = self.acting_tenant(self.cleaned_data["project"].tenant)
            return content.pin_create(tenant=tenant, **data)
        # Called even when nothing changed: its guard refuses a publishing or published pin. A
        # changed scheduled_at is scheduled (or unscheduled) by it, with the schedule's rules.
        return content.pin_update(pin=self.instance, data=data)


@admin.register(Pin)
class PinAdmin(PinActions, PinSchedulingAdmin, ServiceFormAdmin):
    form = PinForm
    tenant_path = "project__tenant_id"
    list_display = (
        "thumbnail", "__str__", "project", "board", "status_badge", "scheduled", "published", "on_pinterest"
    )
    list_display_links = ("thumbnail", "__str__")
    list_filter = ("status", "project", "board")
    search_fields = ("title", "description", "pinterest_pin_id", "article__url")
    # The project's account: whether a due pin is held back by it (``waiting_reason``).
    list_select_related = ("project", "project__pinterest_connection", "board")
    date_hierarchy = "scheduled_at"
    readonly_fields = (
        "image_preview",
        "kind",
        "video_player",
        "media_state",
        "media_id",
        "status",
        "publishing_started_at",
        "claimed_at",
        "published_at",
        "pinterest_pin_id",
        "pinterest_pin_url",
        "error_message",
        "created_at",
        "updated_at",
    )
    inlines = [CarouselItemInline, PublishAttemptInline]
    actions = [
        *ServiceFormAdmin.actions, "publish_now", "mark_ready", "retry_failed",
        "add_to_queue", "remove_from_queue", "pin_to_boards",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pin]:
        # TenantScopedAdmin (of pinpublisher, which names no app's model) scopes any model's rows.
        pins = cast("QuerySet[Pin]", super().get_queryset(request))
        # A carousel's thumbnail is its first image: one query for the page, not one per pin.
        return pins.prefetch_related("carousel_items")

    def _create_formsets(self, request: HttpRequest, obj: Pin, change: bool) -> tuple[list[Any], list[Any]]:
        # The admin builds the inlines before it validates the pin's form: hand the carousel rows
        # to the form (through its instance), so one service call judges and saves both.
        # Django's own step of changeform_view, which the stubs leave out.
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        for formset in formsets:
            if isinstance(formset, CarouselFormSet):
                # Read back by PinForm.write; no field of the model.
                obj._carousel_formset = formset  # type: ignore[attr-defined]
        return formsets, inline_instances

    def get_inlines(self, request: HttpRequest, obj: Pin | None) -> InlineClasses:
        if obj is not None and obj.kind != PinKind.CAROUSEL and not obj.is_editable:
            return [PublishAttemptInline]
        return super().get_inlines(request, obj)

    def delete_object(self, obj: Pin) -> None:
        content.pin_delete(pin=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Pin | None = None) -> list[str] | tuple[str, ...]:
        # A pin being published or already on Pinterest is a record, not a draft.
        if obj is not None and not obj.is_editable:
            # Its media as a person sees it (a video plays, with its cover), then every field.
            media = ["image_preview", "video_player"] if obj.kind == PinKind.VIDEO else ["image_preview"]
            return [*media, *(f.name for f in self.model._meta.fields)]
        # A new pin is a draft, as in the API; it is scheduled once it exists.
        if obj is None:
            return (*super().get_readonly_fields(request, obj), "scheduled_at")
        return super().get_readonly_fields(request, obj)

    def get_fields(self, request: HttpRequest, obj: Pin | None = None) -> list[Any]:
        # The image first: it is what a person recognises a pin by. A new pin has none yet.
        fields = [name for name in super().get_fields(request, obj) if name != "image_preview"]
        return ["image_preview", *fields] if obj is not None else fields

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Every time on a pin's page (read-only ones, its attempts) in its project's zone, as the
        # lists and calendars show them; each names its zone. The page renders inside it.
        pin = self.get_object(request, unquote(object_id))
        if pin is None:
            return super().change_view(request, object_id, form_url, extra_context)
        with timezone.override(pin_page_zone(pin)):
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Pin | None = None,
    ) -> HttpResponse:
        if obj is not None and not obj.is_editable:
            # A record, not a draft: nothing to save, and no delete button next to it.
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="")
    def thumbnail(self, obj: Pin) -> str:
        return pin_thumbnail(obj)

    @admin.display(description="image")
    def image_preview(self, obj: Pin) -> str:
        url = pin_image_url(obj)
        if not url and obj.kind == PinKind.VIDEO:
            # The cover of a video without a picture of its own is one of its frames.
            if obj.cover_key_frame_seconds is not None:
                return f"the video's frame at {obj.cover_key_frame_seconds} s (see the video below)"
            return "the video's first frame (see the video below)"
        if not url:
            return "no image yet"
        return format_html('<a href="{}" target="_blank" rel="noopener"><img class="pp-preview" src="{}" alt="{}"></a>',
                           url, url, obj.alt_text)

    @admin.display(description="scheduled", ordering="scheduled_at")
    def scheduled(self, obj: Pin) -> str:
        return format_when(obj.scheduled_at, zone=pin_zone(obj))

    @admin.display(description="published", ordering="published_at")
    def published(self, obj: Pin) -> str:
        return format_when(obj.published_at, zone=pin_zone(obj))

    @admin.display(description="video")
    def video_player(self, obj: Pin) -> str:
        if not obj.video:
            return "—"
        poster = obj.cover_image.url if obj.cover_image else obj.cover_image_url
        return format_html('<video src="{}" poster="{}" controls preload="metadata" style="max-height:240px"></video>',
                           obj.video.url, poster or "")

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Pin) -> str:
        status = badge(obj.get_status_display(), STATUS_COLORS.get(obj.status, "#777"))
        if obj.status == PinStatus.ERROR and obj.error_message:
            return format_html('{}<span class="pp-error" title="{}">{}</span>', status, obj.error_message,
                               Truncator(obj.error_message).chars(120))
        waiting = waiting_badge(obj, timezone.now())
        return format_html("{} {}", status, waiting) if waiting else status

    @admin.display(description="on Pinterest")
    def on_pinterest(self, obj: Pin) -> str:
        if not obj.pinterest_pin_url:
            return "—"
        link = format_html('<a href="{}" target="_blank" rel="noopener">pin {}</a>', obj.pinterest_pin_url,
                           obj.pinterest_pin_id)
        demo = standin_pin_page(obj)
        if demo:
            link = format_html('{}<br><a class="standin-pin-page" href="{}" target="_blank" rel="noopener">'
                               "on the demo stand-in</a>", link, demo)
        return link
