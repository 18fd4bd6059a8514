"""The calendar's read: a tenant's (or one project's) pins per local day.

A pin's moment is when it was published, else when it is scheduled, else when its publish began
(a pin published now that failed); drafts have none and are not on the calendar. Each pin falls
on the day its moment has in its project's time zone, so a pin scheduled 00:30 in Berlin is on
Berlin's day even in a calendar across projects of different zones. A project whose stored name
is no zone, or a moment with no date in the project's zone, is shown in UTC and says so
(``pinpublisher.timezones.shown_zone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from pinpublisher.timezones import shown_zone, zone_name
from publishing.models import Pin, PinStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

CALENDAR_STATUSES = (PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHING, PinStatus.PUBLISHED, PinStatus.ERROR)
#: The most days one read covers (a month view shows six weeks at most).
MAX_DAYS = 42
# No zone is further than this from UTC: the database window is widened by it, the day decided in Python.
_ZONE_REACH = timedelta(hours=15)


class CalendarMoment(TypedDict):
    """The annotation ``_calendar_pins`` gives each pin: its moment on the calendar."""

    calendar_at: datetime


@dataclass(frozen=True)
class CalendarEntry:
    pin: Pin
    at: datetime  # aware, in the project's zone (UTC when that cannot show it: see ``shown_zone``)

    @property
    def zone_name(self) -> str:
        return zone_name(self.at.tzinfo) if self.at.tzinfo else "UTC"

    @property
    def local_time(self) -> str:
        """HH:MM in the project's zone (a template's date filter would show the admin's zone)."""
        return self.at.strftime("%H:%M")

    @property
    def zone_abbreviation(self) -> str:
        return self.at.tzname() or self.zone_name


def _calendar_pins(
    *, tenant_id: int | None, project_id: int | None
) -> QuerySet[WithAnnotations[Pin, CalendarMoment]]:
    pins = Pin.objects.filter(status__in=CALENDAR_STATUSES)
    if tenant_id is not None:
        pins = pins.filter(project__tenant_id=tenant_id)
    if project_id is not None:
        pins = pins.filter(project_id=project_id)
    return pins.annotate(calendar_at=Coalesce("published_at", "scheduled_at", "claimed_at"))


def calendar_pins_by_day(
    *, tenant_id: int | None, start: date, end: date, project_id: int | None = None
) -> dict[date, list[CalendarEntry]]:
    """Every day from ``start`` to ``end`` (inclusive, at most ``MAX_DAYS``) -> its pins in time order.

    ``tenant_id`` None reads every tenant (a superuser's admin). Raises ValueError for a range
    that is empty or too long.
    """
    days = (end - start).days + 1
    if days < 1 or days > MAX_DAYS:
        raise ValueError(f"A calendar covers 1 to {MAX_DAYS} days, not {days}.")
    try:
        low = datetime.combine(start, time.min, UTC) - _ZONE_REACH
    except OverflowError:  # a range that starts on 1 January of year 1
        low = datetime.min.replace(tzinfo=UTC)
    try:
        high = datetime.combine(end + timedelta(days=1), time.min, UTC) + _ZONE_REACH
    except OverflowError:  # a range that ends in 9999: up to the last moment there is
        high = datetime.max.replace(tzinfo=UTC)
    pins = (
        _calendar_pins(tenant_id=tenant_id, project_id=project_id)
        .filter(calendar_at__gte=low, calendar_at__lt=high)
        .select_related("project", "board")
        .order_by("calendar_at", "id")
    )
    by_day: dict[date, list[CalendarEntry]] = {start + timedelta(days=n): [] for n in range(days)}
    for pin in pins:
        moment = pin.calendar_at
        local = moment.astimezone(shown_zone(pin.project.timezone, moment))
        if local.date() in by_day:
            by_day[local.date()].append(CalendarEntry(pin=pin, at=local))
    return by_day
