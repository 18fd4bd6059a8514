"""What the calendar reads: the pins of a week, a month or an agenda (14 days) laid out on days in
one zone, the project's free queue slots, the drafts of the sidebar, and the parsing of the times
a calendar sends (a drop, a "move to", a click on an empty time).

The zone. A project's calendar is in the project's zone. Across the tenant the grid is in the zone
of the first project (by name), named in the page's header; a pin of a project in another zone
sits where its instant falls in that zone and also shows its own time and zone. A time typed in a
"move to" control has no offset and is read in the pin's own project's zone (named beside it); a
drop carries an instant (an ISO time with its offset), so it means the same in any zone.

Queries do not grow with the pins: one read of the range's pins (project and board joined), one of
the carousel items of the pins a page shows, one of the drafts, and the queue's two reads (its
slots and the pins holding minutes) for a project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from planner.reads import STATUS_TONES, project_zone, thumbnail_url, zone_label
from publishing import selectors, selectors_queue
from publishing.models import BlogProject, Pin, PinKind, PinStatus, Tenant
from publishing.selectors import PinFilters
from publishing.selectors_calendar import CALENDAR_STATUSES
from publishing.selectors_queue import local_to_utc

VIEWS = ("week", "month", "agenda")
#: Pins a month's day shows before "+N more"; pins an hour of the week shows.
MONTH_SHOWN = 3
WEEK_SHOWN = 2
AGENDA_DAYS = 14
DRAFTS_SHOWN = 30
#: The first hour a week shows unless a pin or a slot comes earlier.
WEEK_FIRST_HOUR = 7
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MSG_BAD_TIME = "Give a date and a time, such as 2026-12-24T18:30."


def parse_at(value: str, *, zone: tzinfo) -> datetime:
    """The instant a calendar sent: an ISO time with an offset as it is, one without an offset as
    the wall time in ``zone`` (``local_to_utc``: a time that happens twice is its first). Raises
    ValidationError (on ``scheduled_at``) for anything else."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError) as err:
        raise ValidationError({"scheduled_at": [MSG_BAD_TIME]}) from err
    if timezone.is_aware(moment):
        return moment
    return local_to_utc(day=moment.date(), at=moment.time().replace(second=0, microsecond=0), zone=zone)


def composer_initial(params: Mapping[str, str], *, projects: QuerySet[BlogProject]) -> dict[str, Any]:
    """The new composer's initial values from a calendar's click on an empty time: ``?project=``
    (one of ``projects``, else the first) and ``?at=`` (a wall time in that project's zone, kept as
    typed when it reads as one)."""
    project = _project_of(params.get("project"), projects) or projects.first()
    initial: dict[str, Any] = {"project": project}
    at = params.get("at", "")
    try:
        initial["scheduled_at"] = datetime.strptime(at[:16], LOCAL_FORMAT).strftime(LOCAL_FORMAT)
    except ValueError:
        pass
    return initial


def _project_of(value: str | None, projects: QuerySet[BlogProject]) -> BlogProject | None:
    if not value or not value.isdigit():
        return None
    return projects.filter(pk=int(value)).first()


@dataclass(frozen=True)
class CalendarQuery:
    """What a calendar page shows: its view, the day it is about, one project or the tenant, a status."""

    view: str
    anchor: date
    project: BlogProject | None
    status: str
    zone: tzinfo
    zone_project: BlogProject | None

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, projects: QuerySet[BlogProject]) -> CalendarQuery:
        """Read ``?view=&date=&project=&status=``; anything unknown falls back to the default
        (the week, today in the calendar's zone, the tenant, every status)."""
        project = _project_of(params.get("project"), projects)
        zone_project = project or projects.first()
        zone = project_zone(zone_project) if zone_project is not None else timezone.get_current_timezone()
        view = params.get("view", "")
        try:
            anchor = date.fromisoformat(params.get("date", ""))
        except ValueError:
            anchor = timezone.now().astimezone(zone).date()
        status = params.get("status", "")
        return cls(
            view=view if view in VIEWS else "week",
            anchor=anchor,
            project=project,
            status=status if status in CALENDAR_STATUSES else "",
            zone=zone,
            zone_project=zone_project,
        )

    def days(self) -> tuple[date, date]:
        """The first and the last day shown."""
        if self.view == "month":
            first = self.anchor.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
        if self.view == "week":
            monday = self.anchor - timedelta(days=self.anchor.weekday())
            return monday, monday + timedelta(days=6)
        return self.anchor, self.anchor + timedelta(days=AGENDA_DAYS - 1)

    def step(self, direction: int) -> date:
        """The anchor of the previous (-1) or next (1) page."""
        if self.view == "month":
            month = self.anchor.month - 1 + direction
            return date(self.anchor.year + month // 12, month % 12 + 1, 1)
        return self.anchor + timedelta(days=direction * (7 if self.view == "week" else AGENDA_DAYS))


@dataclass(frozen=True)
class CalendarPin:
    """A pin as the calendar shows it: at ``at`` (in the calendar's zone)."""

    pin: Pin
    at: datetime | None
    own_time: str  # the pin's time in its project's zone, named, when that zone is not the calendar's
    move_value: str  # the "move to" control's value: the pin's time in its project's zone

    @property
    def thumbnail(self) -> str:
        return thumbnail_url(self.pin)

    @property
    def video_url(self) -> str:
        return self.pin.video.url if self.pin.kind == PinKind.VIDEO and self.pin.video else ""

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.pin.status, "neutral")

    @property
    def carousel_count(self) -> int:
        return len(self.pin.carousel_items.all()) if self.pin.kind == PinKind.CAROUSEL else 0

    @property
    def zone_label(self) -> str:
        return zone_label(self.pin.project, self.at)

    @property
    def time(self) -> str:
        return self.at.strftime("%H:%M") if self.at is not None else ""


@dataclass(frozen=True)
class FreeSlot:
    at: datetime  # in the calendar's zone

    @property
    def instant(self) -> str:
        return self.at.isoformat()

    @property
    def time(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def local(self) -> str:
        return self.at.strftime(LOCAL_FORMAT)


@dataclass
class Hour:
    at: datetime  # the hour's start, in the calendar's zone
    pins: list[CalendarPin] = field(default_factory=list)
    slots: list[FreeSlot] = field(default_factory=list)
    is_past: bool = False

    @property
    def shown(self) -> list[CalendarPin]:
        return self.pins[:WEEK_SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.pins) - WEEK_SHOWN, 0)

    @property
    def local(self) -> str:
        return self.at.strftime(LOCAL_FORMAT)

    @property
    def label(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def instant(self) -> str:
        return self.at.isoformat()


@dataclass
class Day:
    day: date
    pins: list[CalendarPin] = field(default_factory=list)
    slots: list[FreeSlot] = field(default_factory=list)
    in_range: bool = True  # a month's day of the months before and after is False
    is_today: bool = False
    is_past: bool = False
    hours: list[Hour] = field(default_factory=list)  # the week's

    @property
    def shown(self) -> list[CalendarPin]:
        return self.pins[:MONTH_SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.pins) - MONTH_SHOWN, 0)

    @property
    def is_empty(self) -> bool:
        return not self.pins and not self.slots


@dataclass(frozen=True)
class Calendar:
    query: CalendarQuery
    days: list[Day]
    drafts: list[CalendarPin]
    more_drafts: bool
    zone_label: str
    hours: list[int]

    @property
    def title(self) -> str:
        first, last = self.days[0].day, self.days[-1].day
        if self.query.view == "month":
            return self.query.anchor.strftime("%B %Y")
        if first.year != last.year:
            return f"{first:%d %b %Y} – {last:%d %b %Y}"
        return f"{first:%d %b} – {last:%d %b %Y}"


def _calendar_pin(pin: Pin, at: datetime | None, zone: tzinfo) -> CalendarPin:
    own = at.astimezone(project_zone(pin.project)) if at is not None else None
    own_time = ""
    if own is not None and at is not None and own.utcoffset() != at.utcoffset():
        own_time = f"{own:%H:%M} {own.tzname()}"
    return CalendarPin(pin=pin, at=at, own_time=own_time, move_value=own.strftime(LOCAL_FORMAT) if own else "")


def calendar_read(*, tenant: Tenant, query: CalendarQuery, now: datetime | None = None) -> Calendar:
    """The days of ``query`` with their pins (in time order) and free slots, and the drafts."""
    now = now or timezone.now()
    zone = query.zone
    first, last = query.days()
    start = local_to_utc(day=first, at=time.min, zone=zone)
    end = local_to_utc(day=last + timedelta(days=1), at=time.min, zone=zone)
    today = now.astimezone(zone).date()
    days = {
        first + timedelta(days=n): Day(
            day=first + timedelta(days=n),
            in_range=query.view != "month" or (first + timedelta(days=n)).month == query.anchor.month,
            is_today=first + timedelta(days=n) == today,
            is_past=first + timedelta(days=n) < today,
        )
        for n in range((last - first).days + 1)
    }
    statuses = (query.status,) if query.status else CALENDAR_STATUSES
    project_id = query.project.pk if query.project is not None else None
    pins = (
        selectors.pins_for_tenant(tenant=tenant, filters=PinFilters(project_id=project_id, statuses=statuses))
        .annotate(calendar_at=Coalesce("published_at", "scheduled_at", "claimed_at"))
        .filter(calendar_at__gte=start, calendar_at__lt=end)
        .select_related("project", "board")
        .order_by("calendar_at", "id")
    )
    for pin in pins:
        at = pin.calendar_at.astimezone(zone)
        if at.date() in days:
            days[at.date()].pins.append(_calendar_pin(pin, at, zone))
    if query.project is not None and query.status in ("", PinStatus.READY_TO_SCHEDULE):
        for slot in free_slots(project=query.project, start=start, end=end, now=now):
            days[slot.at.date()].slots.append(slot)
    hours = _week_hours(list(days.values()), zone=zone, now=now) if query.view == "week" else []
    drafts = drafts_read(tenant=tenant, project_id=project_id)
    shown = [entry.pin for day in days.values() for entry in _shown(day, query.view)]
    prefetch_related_objects([*shown, *(draft.pin for draft in drafts)], "carousel_items")
    return Calendar(
        query=query,
        days=list(days.values()),
        drafts=drafts[:DRAFTS_SHOWN],
        more_drafts=len(drafts) > DRAFTS_SHOWN,
        zone_label=zone_label(query.zone_project) if query.zone_project is not None else "UTC",
        hours=hours,
    )


def _shown(day: Day, view: str) -> list[CalendarPin]:
    if view == "month":
        return day.shown
    if view == "week":
        return [entry for hour in day.hours for entry in hour.shown]
    return day.pins


def _week_hours(days: list[Day], *, zone: tzinfo, now: datetime) -> list[int]:
    """Give each day its hours (from ``WEEK_FIRST_HOUR``, or earlier for an earlier pin or slot, to
    23) holding its pins and slots; returns the hours shown."""
    earliest = min(
        [WEEK_FIRST_HOUR]
        + [entry.at.hour for day in days for entry in day.pins if entry.at is not None]
        + [slot.at.hour for day in days for slot in day.slots]
    )
    shown = list(range(earliest, 24))
    for day in days:
        by_hour: dict[int, Hour] = {}
        for hour in shown:
            at = local_to_utc(day=day.day, at=time(hour), zone=zone).astimezone(zone)
            by_hour[hour] = Hour(at=at, is_past=at + timedelta(hours=1) <= now)
        for entry in day.pins:
            if entry.at is not None:
                by_hour[entry.at.hour].pins.append(entry)
        for slot in day.slots:
            by_hour[slot.at.hour].slots.append(slot)
        day.hours = list(by_hour.values())
    return shown


def free_slots(*, project: BlogProject, start: datetime, end: datetime, now: datetime) -> list[FreeSlot]:
    """The project's free queue slots in ``[start, end)`` that are still ahead (the queue looks at
    most ``selectors_queue.MAX_LIST_DAYS`` ahead), in the project's zone."""
    begin = max(start, now)
    if begin >= end:
        return []
    days = (end - begin).days + 1
    try:
        slots = selectors_queue.project_queue_list(project=project, now=begin, days=days)
    except ValidationError:  # a project whose stored zone is no zone: the queue refuses it too
        return []
    zone = project_zone(project)
    return [FreeSlot(at=slot.at.astimezone(zone)) for slot in slots if slot.is_free and slot.at < end]


def drafts_read(*, tenant: Tenant, project_id: int | None) -> list[CalendarPin]:
    """The sidebar's drafts, last changed first (one more than ``DRAFTS_SHOWN``, to say there are more)."""
    drafts = (
        selectors.pins_for_tenant(tenant=tenant, filters=PinFilters(project_id=project_id,
                                                                    statuses=(PinStatus.DRAFT,)))
        .select_related("project", "board")
        .order_by("-updated_at", "id")[: DRAFTS_SHOWN + 1]
    )
    return [CalendarPin(pin=pin, at=None, own_time="", move_value="") for pin in drafts]


def days_grouped(calendar: Calendar) -> list[list[Day]]:
    """The month's weeks (rows of seven days)."""
    weeks: dict[int, list[Day]] = defaultdict(list)
    for index, day in enumerate(calendar.days):
        weeks[index // 7].append(day)
    return list(weeks.values())
