"""The admin's planning pages: posting slots, "Add to queue", interval pinning, CSV upload, calendars.

Thin, like the rest of the admin: each page or action parses its form and calls the service the
API calls (``queue_slots``, ``interval``, ``csv_import``, ``selectors_calendar``). Everything is
tenant-scoped through the ModelAdmin's ``get_queryset`` (a superuser sees every tenant).
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, QuerySet
from django.forms import Field as FormField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from pinpublisher.admin_scoping import MalformedAdminQuery, user_tenant_id
from pinpublisher.timezones import shown_zone, zone_name
from pinterest.models import Board
from publishing.models import BlogProject, Pin, PostingSlot
from publishing.selectors_calendar import calendar_pins_by_day
from publishing.services import content, csv_import, interval, queue_slots

#: What a ModelAdmin's ``get_inlines`` gives (as Django's own: a list or a tuple).
InlineClasses: TypeAlias = "list[type[InlineModelAdmin[Any, Any]]] | tuple[type[InlineModelAdmin[Any, Any]], ...]"

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin

    _ProjectAdminBase = admin.ModelAdmin[BlogProject]
    _PinAdminBase = admin.ModelAdmin[Pin]
else:
    _ProjectAdminBase = _PinAdminBase = object

#: Pins shown in one day of the month view; the rest are a link to the pin list.
MONTH_DAY_LIMIT = 6


class PostingSlotInline(admin.TabularInline):
    model = PostingSlot
    extra = 0
    fields = ("weekday", "local_time")
    verbose_name = "weekly posting slot"
    verbose_name_plural = "weekly posting slots (in the project's time zone)"

    # As for the project itself (TenantScopedAdmin): tenant staff, not Django's model permissions.
    def _allowed(self, request: HttpRequest, obj: BlogProject | None = None) -> bool:
        return self.admin_site._registry[BlogProject].has_change_permission(request, obj)

    has_change_permission = has_delete_permission = _allowed

    def has_view_permission(self, request: HttpRequest, obj: BlogProject | None = None) -> bool:
        return self.admin_site._registry[BlogProject].has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: BlogProject | None = None) -> bool:
        return self._allowed(request, obj)


def _refusal_text(err: Exception) -> str:
    if isinstance(err, ValidationError) and hasattr(err, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in err.message_dict.items())
    if isinstance(err, ValidationError):
        return " ".join(err.messages)
    return str(err)


# --- Calendar --------------------------------------------------------------------------------


def _calendar_range(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first day shown, last day shown, previous anchor, next anchor) for ``view``."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6), anchor - timedelta(days=7), anchor + timedelta(days=7)
    first = anchor.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    previous = (first - timedelta(days=1)).replace(day=1)
    return start, end, previous, last + timedelta(days=1)


def calendar_context(request: HttpRequest, *, tenant_id: int | None, project: BlogProject | None) -> dict[str, Any]:
    """What the calendar template shows: weeks of days with their pins, and the navigation."""
    view = request.GET.get("view", "month")
    if view not in ("week", "month"):
        raise MalformedAdminQuery("view must be week or month.")
    # A stored name that is no zone (a row from before the rule) shows the calendar in UTC, saying so.
    zone = shown_zone(project.timezone) if project is not None else UTC
    today = timezone.now().astimezone(zone).date()
    try:
        anchor = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else today
        start, end, previous, following = _calendar_range(view, anchor)
    except (ValueError, OverflowError) as err:
        raise MalformedAdminQuery(f"date must be YYYY-MM-DD: {err}") from err
    by_day = calendar_pins_by_day(
        tenant_id=tenant_id, start=start, end=end, project_id=project.pk if project else None
    )
    limit = MONTH_DAY_LIMIT if view == "month" else None
    days = [
        {
            "date": day,
            "entries": entries[:limit] if limit else entries,
            "more": len(entries) - limit if limit and len(entries) > limit else 0,
            "outside": view == "month" and day.month != anchor.month,
            "today": day == today,
        }
        for day, entries in by_day.items()
    ]
    counts: dict[str, int] = {}
    for entries in by_day.values():
        for entry in entries:
            counts[entry.pin.status] = counts.get(entry.pin.status, 0) + 1
    return {
        "view": view,
        "anchor": anchor,
        "weeks": [days[i:i + 7] for i in range(0, len(days), 7)],
        "weekday_names": [pycalendar.day_abbr[n] for n in range(7)],
        "period_label": (
            f"{start:%d %b} – {end:%d %b %Y}" if view == "week" else f"{anchor:%B %Y}"
        ),
        "previous": previous.isoformat(),
        "next": following.isoformat(),
        "today": today.isoformat(),
        "project": project,
        "zone_name": zone_name(zone) if project else None,
        "zone_refused": project.timezone if project and zone_name(zone) != project.timezone else None,
        "counts": counts,
        "total": sum(counts.values()),
    }


class ProjectSchedulingAdmin(_ProjectAdminBase):
    """BlogProjectAdmin's planning: the slots inline, the calendars and the CSV upload page."""

    def formfield_for_dbfield(self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any) -> FormField | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "timezone" and field is not None:
            field.required = False  # empty means UTC, as in the API
        return field

    scheduling_inlines = [PostingSlotInline]

    def get_inlines(self, request: HttpRequest, obj: BlogProject | None) -> InlineClasses:
        # Slots are added once the project exists (its zone chosen).
        extra = self.scheduling_inlines if obj is not None else []
        return [*super().get_inlines(request, obj), *extra]

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        return (*super().get_list_display(request), "planning_links")

    @admin.display(description="planning")
    def planning_links(self, obj: BlogProject) -> str:
        calendar_url = reverse("admin:publishing_blogproject_calendar", args=[obj.pk])
        import_url = reverse("admin:publishing_blogproject_import", args=[obj.pk])
        return format_html('<a href="{}">Calendar</a> · <a href="{}">Import CSV</a>', calendar_url, import_url)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("calendar/", wrap(self.tenant_calendar_view), name="publishing_blogproject_tenant_calendar"),
            path("<int:project_id>/calendar/", wrap(self.calendar_view), name="publishing_blogproject_calendar"),
            path("<int:project_id>/import/", wrap(self.import_view), name="publishing_blogproject_import"),
            *super().get_urls(),
        ]

    def _project(self, request: HttpRequest, project_id: int) -> BlogProject:
        if not self.has_view_permission(request):
            raise PermissionDenied
        project = self.get_queryset(request).filter(pk=project_id).first()
        if project is None:
            raise Http404(f"Project {project_id} not found.")
        return project

    def _render_calendar(self, request: HttpRequest, *, project: BlogProject | None) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant_id = None if request.user.is_superuser else user_tenant_id(request.user)
        context = {
            **self.admin_site.each_context(request),
            **calendar_context(request, tenant_id=tenant_id, project=project),
            "opts": self.model._meta,
            "title": f"Calendar of {project.name}" if project else "Calendar of every project",
            "tenant_calendar_url": reverse("admin:publishing_blogproject_tenant_calendar"),
        }
        return TemplateResponse(request, "admin/publishing/calendar.html", context)

    def calendar_view(self, request: HttpRequest, project_id: int) -> TemplateResponse:
        return self._render_calendar(request, project=self._project(request, project_id))

    def tenant_calendar_view(self, request: HttpRequest) -> TemplateResponse:
        return self._render_calendar(request, project=None)

    def import_view(self, request: HttpRequest, project_id: int) -> HttpResponse:
        project = self._project(request, project_id)
        if not self.has_change_permission(request, project):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size is not None and upload.size > csv_import.MAX_BYTES:
                    raise ValidationError({"file": [f"The file is over {csv_import.MAX_BYTES // 1024 // 1024} MB."]})
                result = csv_import.pins_import_csv(
                    project=project, data=upload.read(), dry_run=form.cleaned_data["dry_run"]
                )
            except ValidationError as err:
                problems = [message for messages in err.message_dict.values() for message in messages]
            else:
                verb = "The file is fine: it would import" if result.dry_run else "Imported"
                self.message_user(
                    request,
                    f"{verb} {result.pins_created} pins ({result.scheduled} at their publish date, "
                    f"{result.queued} queued; {result.articles_created} new articles).",
                    messages.SUCCESS,
                )
                for note in result.notes:
                    self.message_user(request, note, messages.WARNING)
                if result.dry_run:
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(reverse("admin:publishing_blogproject_calendar", args=[project.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import pins into {project.name}",
            "project": project,
            "form": form,
            "problems": problems,
            "columns": list(csv_import.COLUMNS),
            "required_columns": csv_import.REQUIRED_COLUMNS,
        }
        return TemplateResponse(request, "admin/publishing/csv_import.html", context)


class CsvImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV in Pinterest's bulk-create format, saved as UTF-8.")
    dry_run = forms.BooleanField(required=False, label="Only check the file (import nothing)")


# --- Pin actions -----------------------------------------------------------------------------


class PinToBoardsForm(forms.Form):
    boards = forms.ModelMultipleChoiceField(queryset=Board.objects.none(), widget=forms.CheckboxSelectMultiple)
    start_at = forms.SplitDateTimeField(
        widget=AdminSplitDateTime, label="First publish",
        help_text="In the time zone of each pin's project.",
    )
    interval_days = forms.IntegerField(min_value=0, max_value=365, initial=7, label="Days between boards")
    interval_hours = forms.IntegerField(min_value=0, max_value=23, initial=0, label="and hours")

    def __init__(self, *args: Any, boards: QuerySet[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["boards"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = boards


class PinSchedulingAdmin(_PinAdminBase):
    """PinAdmin's planning actions: add to / remove from the queue, pin to more boards."""

    @admin.action(description="Add to queue (next free posting slots)")
    def add_to_queue(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        pins = list(queryset.select_related("project", "board").order_by("created_at", "id"))
        try:
            scheduled = queue_slots.pins_add_to_queue(pins=pins)
        except (ValidationError, content.ContentConflict) as err:
            self.message_user(request, f"Nothing was queued: {_refusal_text(err)}", messages.ERROR)
            return
        for pin in scheduled:
            assert pin.scheduled_at is not None
            local = pin.scheduled_at.astimezone(pin.project.zone)
            self.message_user(request, f"“{pin}” queued for {local:%a %d %b %Y %H:%M} {pin.project.timezone}.")

    @admin.action(description="Remove from queue (back to draft)")
    def remove_from_queue(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        removed = 0
        for pin in queryset:
            try:
                queue_slots.pin_remove_from_queue(pin=pin)
                removed += 1
            except (content.ContentConflict, ValidationError) as err:
                self.message_user(request, f"“{pin}”: {_refusal_text(err)}", messages.ERROR)
        self.message_user(request, ngettext(
            "%(count)d pin taken off the queue; its slot is free again.",
            "%(count)d pins taken off the queue; their slots are free again.", removed,
        ) % {"count": removed})

    @admin.action(description="Pin to more boards, spaced apart (interval)")
    def pin_to_boards(self, request: HttpRequest, queryset: QuerySet[Pin]) -> TemplateResponse | None:
        pins = list(queryset.select_related("project", "project__tenant"))
        tenant_ids = {pin.project.tenant_id for pin in pins}
        connection_ids = {pin.project.pinterest_connection_id for pin in pins}
        boards = Board.objects.filter(connection__tenant_id__in=tenant_ids, is_archived=False).select_related(
            "connection"
        )
        if len(connection_ids) == 1 and None not in connection_ids:
            boards = boards.filter(connection_id__in=connection_ids)
        form = PinToBoardsForm(request.POST if "apply" in request.POST else None, boards=boards)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            step = timedelta(days=data["interval_days"], hours=data["interval_hours"])
            wall = timezone.make_naive(data["start_at"], timezone.get_current_timezone())
            made = 0
            for pin in pins:
                try:
                    start_at = queue_slots.local_to_utc(day=wall.date(), at=wall.time(), zone=pin.project.zone)
                    made += len(interval.pin_pin_to_boards(
                        pin=pin, board_ids=[board.pk for board in data["boards"]], start_at=start_at, interval=step
                    ))
                except (ValidationError, content.ContentConflict) as err:
                    self.message_user(request, f"“{pin}”: nothing was created: {_refusal_text(err)}", messages.ERROR)
            if made:
                self.message_user(request, f"{made} pins created and scheduled, one per board.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Pin to more boards",
            "form": form,
            "pins": pins,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/publishing/pin_to_boards.html", context)


