"""Admin for tenants, projects, articles, pins, attempts and batches.

Projects, articles and pins are written and deleted by the same content services as the REST
API (``publishing.services.content``): the admin form only hands them what changed and shows
what they refuse on the field they name; a delete they refuse deletes nothing and shows why.
"""

from datetime import datetime, tzinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import model_ngettext, unquote
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextInputWidget, AdminURLFieldWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pinpublisher.admin_scoping import (
    TenantScopedAdmin,
    TenantScopedRecordInline,
    guard_admin_site,
    user_tenant_id,
)
from pinpublisher.timezones import format_when, shown_zone, zone_name, zone_of
from pinterest.admin import badge
from pinterest.conf import pinterest_settings
from pinterest.models import Health
from publishing.admin_scheduling import PinSchedulingAdmin, ProjectSchedulingAdmin
from publishing.engine import batch_expected_at, batch_summary, pins_publish_bulk
from publishing.models import (
    BlogArticle,
    BlogProject,
    CarouselItem,
    Membership,
    Pin,
    PinKind,
    PinStatus,
    PublishAttempt,
    PublishBatch,
    PublishBatchItem,
    Tenant,
)
from publishing.rules import waiting_reason
from publishing.selectors import batch_counts, batch_item_outcome
from publishing.services import content
from publishing.services.queue_slots import local_to_utc
from publishing.services.readiness import pins_mark_ready, pins_retry_failed


class ServiceForm(forms.ModelForm):
    """An admin form whose object is written by a content service, exactly as the API writes it.

    The service runs while the form is validated, inside a savepoint (and inside the admin's
    transaction): what it refuses shows on the field it names and nothing is saved; what it
    accepts is already saved, so ``save()`` only hands the object back. The model's own
    validation is not run: the service holds the rules.
    """

    #: The user the write acts for; set by ``ServiceFormAdmin.get_form``.
    user = None

    def write(self):
        """Call the service with the cleaned input and return the saved object."""
        raise NotImplementedError

    def _post_clean(self):
        # Takes the place of ModelForm's model validation (full_clean, validate_unique).
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.instance = self.write()
        except ValidationError as err:
            for field, errors in err.update_error_dict({}).items():
                if field in self.fields or field == NON_FIELD_ERRORS:
                    self.add_error(field if field in self.fields else None, errors)
                else:
                    # A rule about a field this form shows read-only: say which field.
                    texts = ValidationError(errors).messages
                    self.add_error(None, [f"{field}: {text}" for text in texts])
        except (content.ContentConflict, ObjectDoesNotExist) as err:
            self.add_error(None, str(err))

    def save(self, commit=True):
        # Called by the admin after validation: the object is saved already (no m2m fields).
        self.save_m2m = lambda: None
        return self.instance

    @property
    def adding(self):
        return self.instance._state.adding

    def acting_tenant(self, tenant):
        """The tenant the write acts for: a staff user's own; a superuser acts for ``tenant``."""
        return tenant if self.user.is_superuser else self.user.membership.tenant

    def changed_values(self, *, ids=()):
        """What the person changed, as the services take it: a foreign key in ``ids`` by id."""
        data = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in ids:
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value
        return data


class DeleteRefused(Exception):
    """A content service refused to delete an object; the message says which one and why."""


class ServiceFormAdmin(TenantScopedAdmin):
    """A ModelAdmin whose ``form`` is a ServiceForm (the form saves, ``save_model`` does not)
    and whose deletes call a content service (``delete_object``).

    The change page's "Delete" and the changelist's "Delete selected" both end in
    ``delete_model``. A refusal deletes nothing and logs nothing; it is shown as an error with
    the service's message. "Delete selected" takes each object on its own, as the API would
    one request at a time: the allowed ones are deleted and each refused one is named.
    """

    actions = ["delete_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Nothing to do: the service saved ``obj`` while the form was validated."""

    def delete_object(self, obj):
        """Call the content service that deletes ``obj``."""
        raise NotImplementedError

    def delete_model(self, request, obj):
        """Delete ``obj`` through its service. Raises DeleteRefused with the service's reason."""
        try:
            self.delete_object(obj)
        except (content.ContentConflict, ObjectDoesNotExist) as err:
            raise DeleteRefused(
                _("The %(name)s “%(obj)s” was not deleted: %(reason)s")
                % {"name": self.opts.verbose_name, "obj": obj, "reason": err}
            ) from err

    def delete_queryset(self, request, queryset):
        """Delete each object as the change page does: logged and deleted in one savepoint, so
        a refused one leaves no log entry. Returns the refusals' messages."""
        refusals = []
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.log_deletions(request, [obj])
                    self.delete_model(request, obj)
            except DeleteRefused as err:
                refusals.append(str(err))
        return refusals

    def get_deleted_objects(self, objs, request):
        # What the confirmation page lists. The services decide what may go, per object and
        # with their own message (an article's PROTECTed pins included): Django's "protected"
        # list would refuse the whole selection, with its message, before they are asked.
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed, []

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DeleteRefused as err:
            # Raised inside the view's transaction, which rolled back (its log entry too).
            self.message_user(request, str(err), messages.ERROR)
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
            return HttpResponseRedirect(add_preserved_filters(preserved, url))

    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        """Django's "Delete selected" with its confirmation page, deleting through the service."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        if self.get_deleted_objects(queryset, request)[2]:  # a related model the user may not delete
            raise PermissionDenied
        objs = list(queryset)
        refusals = self.delete_queryset(request, objs)
        deleted = len(objs) - len(refusals)
        if deleted:
            self.message_user(
                request,
                _("Successfully deleted %(count)d %(items)s.")
                % {"count": deleted, "items": model_ngettext(self.opts, deleted)},
                messages.SUCCESS,
            )
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)


def users_tenant_staff_may_pick(*, tenant_id):
    """The users a tenant's staff may make members of their tenant: those of no tenant or of
    theirs (a user belongs to one tenant), never a superuser."""
    return get_user_model().objects.filter(
        Q(membership__isnull=True) | Q(membership__tenant_id=tenant_id), is_superuser=False
    )


class MembershipUserChoices:
    """For the membership admin and inline: a tenant's staff pick the user from a plain list of
    ``users_tenant_staff_may_pick`` (a forged id is "not one of the available choices"); a
    superuser picks any user with the autocomplete."""

    def get_autocomplete_fields(self, request):
        # The autocomplete answers from the user admin, which knows nothing of tenants.
        return ("user",) if request.user.is_superuser else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = users_tenant_staff_may_pick(tenant_id=user_tenant_id(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(MembershipUserChoices, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = "id"
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(MembershipUserChoices, TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role", "tenant")
    search_fields = ("user__username", "user__email", "tenant__name")
    list_select_related = ("user", "tenant")


class BlogProjectForm(ServiceForm):
    class Meta:
        model = BlogProject
        fields = ("tenant", "name", "pinterest_connection", "timezone")

    def clean_timezone(self):
        return self.cleaned_data["timezone"].strip() or "UTC"

    def write(self):
        data = self.changed_values(ids=("pinterest_connection",))
        if self.adding:
            data.pop("tenant", None)
            tenant = self.acting_tenant(self.cleaned_data["tenant"])
            return content.project_create(tenant=tenant, **data)
        return content.project_update(project=self.instance, data=data)


@admin.register(BlogProject)
class BlogProjectAdmin(ProjectSchedulingAdmin, ServiceFormAdmin):
    form = BlogProjectForm
    tenant_path = "tenant_id"
    list_display = ("name", "tenant", "pinterest_connection", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__name")
    list_select_related = ("tenant", "pinterest_connection")

    def delete_object(self, obj):
        content.project_delete(project=obj)

    def get_readonly_fields(self, request, obj=None):
        # A project never moves to another tenant (the API cannot move one either).
        if obj is not None:
            return (*super().get_readonly_fields(request, obj), "tenant")
        return super().get_readonly_fields(request, obj)


class BlogArticleForm(ServiceForm):
    class Meta:
        model = BlogArticle
        fields = ("project", "url", "title")

    def write(self):
        data = self.changed_values(ids=("project",))
        if self.adding:
            tenant = self.acting_tenant(self.cleaned_data["project"].tenant)
            return content.article_create(tenant=tenant, **data)
        return content.article_update(article=self.instance, data=data)


@admin.register(BlogArticle)
class BlogArticleAdmin(ServiceFormAdmin):
    form = BlogArticleForm
    tenant_path = "project__tenant_id"
    list_display = ("title", "url", "project", "created_at")
    list_filter = ("project",)
    search_fields = ("title", "url", "project__name")
    list_select_related = ("project",)

    def delete_object(self, obj):
        content.article_delete(article=obj)


STATUS_COLORS = {
    PinStatus.DRAFT: "#8a8a8a",
    PinStatus.READY_TO_SCHEDULE: "#2f6fb5",
    PinStatus.PUBLISHING: "#c98a00",
    PinStatus.PUBLISHED: "#2e8540",
    PinStatus.ERROR: "#c0392b",
}
WAITING_COLOR = "#c98a00"
BATCH_OUTCOME_COLORS = {
    "pending": STATUS_COLORS[PinStatus.PUBLISHING],
    "published": STATUS_COLORS[PinStatus.PUBLISHED],
    "skipped": STATUS_COLORS[PinStatus.DRAFT],
    "failed": STATUS_COLORS[PinStatus.ERROR],
}


class PublishAttemptInline(TenantScopedRecordInline):
    model = PublishAttempt
    fields = (
        "trigger",
        "started_at",
        "finished_at",
        "outcome",
        "http_status",
        "pinterest_request_id",
        "pinterest_pin_id",
        "error",
    )
    readonly_fields = fields


class ImageUploadInput(forms.ClearableFileInput):
    """Shows the current upload but has no "clear" box: as in the API, an upload is replaced
    (by another one or by an image_url), never just removed."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["required"] = True  # what hides the box in Django's template
        return context

    def value_from_datadict(self, data, files, name):
        return files.get(name)


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.board.name} › {obj.name}"


class CarouselItemForm(forms.ModelForm):
    """One carousel row as a person edits it; the pin's service judges the whole carousel."""

    image = forms.FileField(required=False, widget=ImageUploadInput)
    position = forms.IntegerField(required=False, min_value=0, widget=forms.NumberInput(attrs={"style": "width:4em"}))

    class Meta:
        model = CarouselItem
        fields = ("position", "image", "image_url", "title", "description", "link")
        # Narrow enough that a row fits 1400 px with the title readable (the admin's defaults
        # overflowed the page and left the title 34 px wide).
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2, "cols": 24}),
            "image_url": AdminURLFieldWidget(attrs={"style": "width:16em"}),
            "title": AdminTextInputWidget(attrs={"style": "width:12em"}),
            "link": AdminURLFieldWidget(attrs={"style": "width:14em"}),
        }

    def _post_clean(self):
        # No model validation: ``check_carousel`` holds the rules (the same as the API's).
        pass


class CarouselFormSet(forms.BaseInlineFormSet):
    """The carousel rows handed to the pin's service as one list (``PinForm.write``); the
    service saves them, so this formset's own ``save`` saves nothing."""

    def items(self) -> list[dict] | None:
        """The carousel in the service's shape, ordered by position (then row); None when
        the rows did not change."""
        if not self.has_changed():
            return None
        rows = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra row
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            item = {"title": data.get("title") or "", "description": data.get("description") or "",
                    "link": data.get("link") or ""}
            replaced = {"image", "image_url"} & set(form.changed_data)
            if form.instance.pk is not None and not replaced:
                item["id"] = form.instance.pk
            elif data.get("image"):
                item["image"] = data["image"]
            else:
                item["image_url"] = data.get("image_url") or ""
            position = data.get("position")
            rows.append((position if position is not None else 1000 + index, index, item))
        return [item for *_order, item in sorted(rows, key=lambda row: row[:2])]

    def save(self, commit=True):
        # What the admin's change message reads; the service saved the rows.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class CarouselItemInline(admin.TabularInline):
    model = CarouselItem
    form = CarouselItemForm
    formset = CarouselFormSet
    extra = 2
    max_num = 5
    fields = ("preview", "position", "image", "image_url", "title", "description", "link")
    readonly_fields = ("preview",)
    verbose_name = "carousel image"
    verbose_name_plural = "carousel (2 to 5 images of the same size, instead of one image)"

    # The rows are part of the pin: whoever may edit the pin (tenant staff too) edits them, and
    # only while the pin is editable.
    def _pin_admin(self):
        return self.admin_site._registry[Pin]

    def has_view_permission(self, request, obj=None):
        return self._pin_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._pin_admin().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    @admin.display(description="")
    def preview(self, obj):
        url = obj.image.url if obj.image else obj.image_url
        if not url:
            return "—"
        return format_html('<img src="{}" alt="" style="height:64px;width:auto;border-radius:4px">', url)


class WallTimeField(forms.SplitDateTimeField):
    """A date and a time as typed, without a zone: the form reads it in the zone of the pin's
    project (``PinForm.clean``), not in the server's."""

    def compress(self, data_list):
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
    # Typed and shown in the project's zone, as every list, calendar and message shows the pin's times.
    scheduled_at = WallTimeField(required=False, widget=AdminSplitDateTime, label="Scheduled at")

    class Meta:
        model = Pin
        fields = (
            "project", "article", "board", "board_section", "title", "description", "alt_text",
            "image", "image_url", "video", "cover_image", "cover_image_url", "cover_key_frame_seconds",
            "scheduled_at",
        )
        field_classes = {"board_section": SectionChoiceField}

    def __init__(self, *args, **kwargs):
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
        if section is not None:
            queryset = section.queryset.filter(is_archived=False).select_related("board")
            if self.instance.board_id:
                # The pin's board's sections; another board's is refused by the service anyway.
                queryset = queryset.filter(board_id=self.instance.board_id)
            section.queryset = queryset

    def clean(self):
        cleaned = super().clean()
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

    def write(self):
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


def _held_back_by(pin, now):
    """A due pin's waiting reason in two words (the badge; its tooltip has the whole reason)."""
    connection = pin.project.pinterest_connection
    if connection is None:
        return "no Pinterest account"
    return Health(connection.health(now=now)[0]).label.lower()


def waiting_badge(pin, now):
    """"Waiting: <why>" for a due pin something holds back ("" otherwise); the tooltip says it all."""
    reason = waiting_reason(pin, now)
    if not reason:
        return ""
    return badge(f"Waiting: {_held_back_by(pin, now)}", WAITING_COLOR, title=reason)


def pin_zone(pin):
    """The zone a pin's times are shown in: its project's once projects have one, else the server's."""
    return getattr(pin.project, "timezone", None)


PIN_TIMES = ("scheduled_at", "published_at", "publishing_started_at", "claimed_at", "created_at", "updated_at")


def pin_page_zone(pin) -> tzinfo:
    """The zone a pin's page shows (and its form reads) its times in: its project's (a stored name
    that is no zone reads as the server's, as in ``format_when``), or UTC when one of the pin's
    times has no date in the project's zone (beyond year 9999): never a page that fails."""
    return shown_zone(pin_zone(pin), *(getattr(pin, name) for name in PIN_TIMES))


def pin_image_url(pin) -> str:
    """The picture that stands for the pin: its image, a carousel's first, a video's cover."""
    if pin.kind == PinKind.CAROUSEL:
        first = next(iter(pin.carousel_items.all()), None)
        if first is None:
            return ""
        return first.image.url if first.image else first.image_url
    if pin.kind == PinKind.VIDEO:
        return pin.cover_image.url if pin.cover_image else pin.cover_image_url
    return pin.image.url if pin.image else pin.image_url


def pin_thumbnail(pin):
    url = pin_image_url(pin)
    if not url:
        return badge("video", "#555") if pin.kind == PinKind.VIDEO else "—"
    return format_html('<img class="pp-thumb" src="{}" alt="">', url)


def standin_pin_page(pin):
    """The demo's page for a pin on the local Pinterest stand-in ("" outside the demo)."""
    page = pinterest_settings.PINTEREST_STANDIN_PIN_PAGE
    return page.format(pin_id=pin.pinterest_pin_id) if page and pin.pinterest_pin_id else ""


@admin.register(Pin)
class PinAdmin(PinSchedulingAdmin, ServiceFormAdmin):
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

    def get_queryset(self, request):
        # A carousel's thumbnail is its first image: one query for the page, not one per pin.
        return super().get_queryset(request).prefetch_related("carousel_items")

    def _create_formsets(self, request, obj, change):
        # The admin builds the inlines before it validates the pin's form: hand the carousel rows
        # to the form (through its instance), so one service call judges and saves both.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        for formset in formsets:
            if isinstance(formset, CarouselFormSet):
                obj._carousel_formset = formset
        return formsets, inline_instances

    def get_inlines(self, request, obj):
        if obj is not None and obj.kind != PinKind.CAROUSEL and not obj.is_editable:
            return [PublishAttemptInline]
        return super().get_inlines(request, obj)

    def delete_object(self, obj):
        content.pin_delete(pin=obj)

    def get_readonly_fields(self, request, obj=None):
        # A pin being published or already on Pinterest is a record, not a draft.
        if obj is not None and not obj.is_editable:
            # Its media as a person sees it (a video plays, with its cover), then every field.
            media = ["image_preview", "video_player"] if obj.kind == PinKind.VIDEO else ["image_preview"]
            return [*media, *(f.name for f in self.model._meta.fields)]
        # A new pin is a draft, as in the API; it is scheduled once it exists.
        if obj is None:
            return (*super().get_readonly_fields(request, obj), "scheduled_at")
        return super().get_readonly_fields(request, obj)

    def get_fields(self, request, obj=None):
        # The image first: it is what a person recognises a pin by. A new pin has none yet.
        fields = [name for name in super().get_fields(request, obj) if name != "image_preview"]
        return ["image_preview", *fields] if obj is not None else fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every time on a pin's page (read-only ones, its attempts) in its project's zone, as the
        # lists and calendars show them; each names its zone. The page renders inside it.
        pin = self.get_object(request, unquote(object_id))
        if pin is None:
            return super().change_view(request, object_id, form_url, extra_context)
        with timezone.override(pin_page_zone(pin)):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not obj.is_editable:
            # A record, not a draft: nothing to save, and no delete button next to it.
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="")
    def thumbnail(self, obj):
        return pin_thumbnail(obj)

    @admin.display(description="image")
    def image_preview(self, obj):
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
    def scheduled(self, obj):
        return format_when(obj.scheduled_at, zone=pin_zone(obj))

    @admin.display(description="published", ordering="published_at")
    def published(self, obj):
        return format_when(obj.published_at, zone=pin_zone(obj))

    @admin.display(description="video")
    def video_player(self, obj):
        if not obj.video:
            return "—"
        poster = obj.cover_image.url if obj.cover_image else obj.cover_image_url
        return format_html('<video src="{}" poster="{}" controls preload="metadata" style="max-height:240px"></video>',
                           obj.video.url, poster or "")

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        status = badge(obj.get_status_display(), STATUS_COLORS.get(obj.status, "#777"))
        if obj.status == PinStatus.ERROR and obj.error_message:
            return format_html('{}<span class="pp-error" title="{}">{}</span>', status, obj.error_message,
                               Truncator(obj.error_message).chars(120))
        waiting = waiting_badge(obj, timezone.now())
        return format_html("{} {}", status, waiting) if waiting else status

    @admin.display(description="on Pinterest")
    def on_pinterest(self, obj):
        if not obj.pinterest_pin_url:
            return "—"
        link = format_html('<a href="{}" target="_blank" rel="noopener">pin {}</a>', obj.pinterest_pin_url,
                           obj.pinterest_pin_id)
        demo = standin_pin_page(obj)
        if demo:
            link = format_html('{}<br><a class="standin-pin-page" href="{}" target="_blank" rel="noopener">'
                               "on the demo stand-in</a>", link, demo)
        return link

    @admin.action(description="Publish now (in the background, paced)")
    def publish_now(self, request, queryset):
        by_tenant = {}
        for pin_id, tenant_id in queryset.values_list("pk", "project__tenant_id"):
            by_tenant.setdefault(tenant_id, []).append(pin_id)
        for tenant_id, pin_ids in by_tenant.items():
            batch = pins_publish_bulk(
                tenant=Tenant.objects.get(pk=tenant_id), pin_ids=pin_ids, trigger="admin", user=request.user
            )
            summary = batch_summary(batch=batch)
            skipped, failed = summary["skipped"], summary["failed"]
            going = summary["pending"] + summary["published"]
            url = reverse("admin:publishing_publishbatch_change", args=[batch.pk])
            parts = []
            if going:
                parts.append(ngettext("Publishing %(count)d pin in the background",
                                      "Publishing %(count)d pins in the background", going) % {"count": going})
                expected = batch_expected_at(batch=batch)
                if expected is not None:
                    parts[-1] += _(", expected from %(when)s (Pinterest asked the account to wait)") % {
                        "when": format_when(expected)
                    }
            if skipped:
                parts.append(ngettext("%(count)d pin already published: skipped",
                                      "%(count)d pins already published: skipped", skipped) % {"count": skipped})
            if failed:
                parts.append(ngettext("%(count)d pin cannot be published (see the batch)",
                                      "%(count)d pins cannot be published (see the batch)", failed) % {"count": failed})
            level = messages.SUCCESS if going else (messages.WARNING if skipped and not failed else messages.ERROR)
            self.message_user(
                request,
                format_html('{}: <a href="{}">follow batch {}</a>.', "; ".join(parts), url, str(batch.pk)[:8]),
                level,
            )

    def _report_readiness(self, request, result, *, done, stays, other):
        """One message for the pins made ready, one per refused pin (why), one for the others."""
        count = len(result.ready)
        if count or not result.refused:
            self.message_user(request, done(count) % {"count": count},
                              messages.SUCCESS if count else messages.WARNING)
        for pin, reason in result.refused:
            self.message_user(request, f"“{pin}” {stays}: {reason}", messages.ERROR)
        if result.not_applicable:
            self.message_user(request, other(result.not_applicable) % {"count": result.not_applicable},
                              messages.WARNING)

    @admin.action(description="Mark ready to schedule (at their time, or next in the queue)")
    def mark_ready(self, request, queryset):
        result = pins_mark_ready(pin_ids=queryset.values_list("pk", flat=True))
        self._report_readiness(
            request, result, stays="stays a draft",
            done=lambda n: ngettext("%(count)d draft pin marked ready to schedule.",
                                    "%(count)d draft pins marked ready to schedule.", n),
            other=lambda n: ngettext("%(count)d selected pin is not a draft: left as it is.",
                                     "%(count)d selected pins are not drafts: left as they are.", n),
        )

    @admin.action(description="Retry failed (at their time, or now if it has passed)")
    def retry_failed(self, request, queryset):
        result = pins_retry_failed(pin_ids=queryset.values_list("pk", flat=True))
        self._report_readiness(
            request, result, stays="stays failed",
            done=lambda n: ngettext("%(count)d failed pin is ready to schedule again.",
                                    "%(count)d failed pins are ready to schedule again.", n),
            other=lambda n: ngettext("%(count)d selected pin has not failed: left as it is.",
                                     "%(count)d selected pins have not failed: left as they are.", n),
        )


@admin.register(PublishAttempt)
class PublishAttemptAdmin(TenantScopedAdmin):
    tenant_path = "pin__project__tenant_id"
    list_display = ("pin", "trigger", "outcome", "http_status", "started_at", "finished_at")
    list_filter = ("outcome", "trigger")
    search_fields = ("pin__title", "pinterest_request_id", "pinterest_pin_id", "error")
    list_select_related = ("pin",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PublishBatchItemInline(TenantScopedRecordInline):
    model = PublishBatchItem
    fields = ("pin", "outcome", "error", "finished_at")
    readonly_fields = fields

    @admin.display(description="outcome")
    def outcome(self, obj):
        name = batch_item_outcome(success=obj.success, skipped=obj.skipped)
        label = "already published: skipped" if name == "skipped" else name
        return badge(label, BATCH_OUTCOME_COLORS[name])


@admin.register(PublishBatch)
class PublishBatchAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = (
        "id", "tenant", "trigger", "total", "published", "skipped", "failed", "pending", "created_at", "finished_at"
    )
    list_filter = ("trigger",)
    search_fields = ("id",)
    readonly_fields = (
        "tenant", "created_by", "trigger", "total", "published", "skipped", "failed", "pending", "created_at",
        "finished_at",
    )
    inlines = [PublishBatchItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**batch_counts())

    @admin.display(ordering="n_published")
    def published(self, obj):
        return obj.n_published

    @admin.display(ordering="n_skipped", description="skipped (already published)")
    def skipped(self, obj):
        return obj.n_skipped

    @admin.display(ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    @admin.display(ordering="n_pending")
    def pending(self, obj):
        return obj.n_pending

    def has_add_permission(self, request):
        return False


# The app list beside every page takes a fifth of a 1400 px screen from the lists; the index and
# the breadcrumbs lead everywhere it does.
admin.site.enable_nav_sidebar = False
admin.site.site_header = admin.site.site_title = "pinpublisher"
admin.site.index_title = "Today"

# Last app in INSTALLED_APPS: every other app's ModelAdmin is registered by now.
guard_admin_site(admin.site)
