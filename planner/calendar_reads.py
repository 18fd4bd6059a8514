"""What the calendar reads: the pins of a week, a month or an agenda (14 days) laid out on days in
one zone, the project's free queue slots and the drafts of the sidebar, for a ``CalendarQuery``
(``planner.calendar_query``: the page's parameters and the times a calendar sends).

The zone. A project's calendar is in the project's zone. Across the tenant the grid is in the zone
of the first project (by name), named in the page's header; a pin of a project in another zone
sits where its instant falls in that zone and also shows its own time and zone.

Queries do not grow with the pins: the range's ids and moments, the pins shown read whole (with their
carousel items), the drafts, and the queue's two reads (its slots, the minutes held) for a project.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from planner.calendar_query import LOCAL_FORMAT, CalendarQuery
from planner.reads import STATUS_TONES, project_zone, thumbnail_url, zone_label
from publishing import selectors, selectors_queue
from publishing.models import BlogProject, Pin, PinKind, PinStatus, Tenant
from publishing.selectors import PinFilters
from publishing.selectors_calendar import CALENDAR_STATUSES
from publishing.selectors_queue import local_to_utc

#: Pins a month's day shows before "+N more"; pins an hour of the week shows.
MONTH_SHOWN = 3
WEEK_SHOWN = 2
DRAFTS_SHOWN = 30
#: The first hour a week shows unless a pin or a slot comes earlier.
WEEK_FIRST_HOUR = 7


@dataclass(frozen=True)
class CalendarPin:
    """A pin as the calendar shows it: at ``at`` (in the calendar's zone)."""

    pin: Pin
    at: datetime | None
    own_time: str  # the pin's time in its project's zone, named, when that zone is not the calendar's
    move_value: str  # the "move to" control's value: the pin's time in its project's zone

    is_slot = False

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
    is_slot = True

    @property
    def time(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def local(self) -> str:
        return self.at.strftime(LOCAL_FORMAT)


Placed = tuple[Any, datetime]  # a pin's id and its moment in the calendar's zone, before it is read whole


@dataclass
class Cell:
    """What a day or an hour holds: how many pins (``count``), those placed (ids and times, in
    time order), the pins read whole to be shown (``pins``), and the free slots."""

    placed: list[Placed] = field(default_factory=list)
    pins: list[CalendarPin] = field(default_factory=list)
    slots: list[FreeSlot] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.placed)

    @property
    def is_empty(self) -> bool:
        return not self.placed and not self.slots

    def in_time_order(self, pins: list[CalendarPin]) -> list[CalendarPin | FreeSlot]:
        """``pins`` and the free slots, as the day runs (a pin before a slot of the same minute)."""
        return sorted([*pins, *self.slots], key=lambda item: (item.at, item.is_slot))


@dataclass
class Hour(Cell):
    at: datetime | None = None  # the hour's start, in the calendar's zone
    is_past: bool = False

    @property
    def shown(self) -> list[CalendarPin]:
        return self.pins[:WEEK_SHOWN]

    @property
    def more(self) -> int:
        return max(self.count - WEEK_SHOWN, 0)

    @property
    def items(self) -> list[CalendarPin | FreeSlot]:
        return self.in_time_order(self.shown)

    @property
    def local(self) -> str:
        return self.at.strftime(LOCAL_FORMAT) if self.at else ""

    @property
    def label(self) -> str:
        return self.at.strftime("%H:%M") if self.at else ""



@dataclass
class Day(Cell):
    day: date = date.min
    in_range: bool = True  # a month's day of the months before and after is False
    is_today: bool = False
    is_past: bool = False
    hours: list[Hour] = field(default_factory=list)  # the week's

    @property
    def shown(self) -> list[CalendarPin]:
        return self.pins[:MONTH_SHOWN]

    @property
    def more(self) -> int:
        return max(self.count - MONTH_SHOWN, 0)

    @property
    def items(self) -> list[CalendarPin | FreeSlot]:
        return self.in_time_order(self.shown)

    @property
    def agenda_items(self) -> list[CalendarPin | FreeSlot]:
        return self.in_time_order(self.pins)


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

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[n : n + 7] for n in range(0, len(self.days), 7)]


def _calendar_pin(pin: Pin, at: datetime | None) -> CalendarPin:
    own = at.astimezone(project_zone(pin.project)) if at is not None else None
    own_time = ""
    if own is not None and at is not None and own.utcoffset() != at.utcoffset():
        own_time = f"{own:%H:%M} {own.tzname()}"
    return CalendarPin(pin=pin, at=at, own_time=own_time, move_value=own.strftime(LOCAL_FORMAT) if own else "")


def calendar_read(*, tenant: Tenant, query: CalendarQuery, now: datetime | None = None) -> Calendar:
    """The days of ``query`` with their pins (in time order) and free slots, and the drafts.

    The range's pins are first placed from their ids and moments alone; only those the view shows
    (a month's first ``MONTH_SHOWN`` a day, a week's first ``WEEK_SHOWN`` an hour, an agenda's all)
    are read whole, so a busy month costs what a quiet one does."""
    now = now or timezone.now()
    zone = query.zone
    first, last = query.days()
    start = local_to_utc(day=first, at=time.min, zone=zone)
    end = local_to_utc(day=last + timedelta(days=1), at=time.min, zone=zone)
    today = now.astimezone(zone).date()
    days = {}
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        days[day] = Day(day=day, in_range=query.view != "month" or day.month == query.anchor.month,
                        is_today=day == today, is_past=day < today)
    statuses = (query.status,) if query.status else CALENDAR_STATUSES
    project_id = query.project.pk if query.project is not None else None
    in_range = (
        selectors.pins_for_tenant(tenant=tenant, filters=PinFilters(
            project_id=project_id, statuses=statuses, board_id=query.board_id, connection_id=query.connection_id))
        .annotate(calendar_at=Coalesce("published_at", "scheduled_at", "claimed_at"))
        .filter(calendar_at__gte=start, calendar_at__lt=end)
    )
    for pin_id, moment in in_range.order_by("calendar_at", "id").values_list("id", "calendar_at"):
        at = moment.astimezone(zone)
        if at.date() in days:
            days[at.date()].placed.append((pin_id, at))
    if query.project is not None and query.in_account and query.status in ("", PinStatus.READY_TO_SCHEDULE):
        for slot in free_slots(project=query.project, start=start, end=end, now=now):
            days[slot.at.date()].slots.append(slot)
    hours = _week_hours(list(days.values()), zone=zone, now=now) if query.view == "week" else []
    cells: list[Cell] = [hour for day in days.values() for hour in day.hours] if hours else list(days.values())
    shown = {"month": MONTH_SHOWN, "week": WEEK_SHOWN}.get(query.view)
    wanted = [(cell, placed) for cell in cells for placed in cell.placed[:shown]]
    pins = in_range.filter(pk__in=[pin_id for _cell, (pin_id, _at) in wanted]).select_related("project", "board")
    by_id = {pin.pk: pin for pin in pins}
    for cell, (pin_id, at) in wanted:
        if pin_id in by_id:
            cell.pins.append(_calendar_pin(by_id[pin_id], at))
    drafts = drafts_read(tenant=tenant, filters=PinFilters(
        project_id=project_id, board_id=query.board_id, connection_id=query.connection_id))
    prefetch_related_objects([*by_id.values(), *(draft.pin for draft in drafts)], "carousel_items")
    return Calendar(
        query=query,
        days=list(days.values()),
        drafts=drafts[:DRAFTS_SHOWN],
        more_drafts=len(drafts) > DRAFTS_SHOWN,
        zone_label=zone_label(query.zone_project) if query.zone_project is not None else "UTC",
        hours=hours,
    )


def _week_hours(days: list[Day], *, zone: tzinfo, now: datetime) -> list[int]:
    """Give each day its hours (from ``WEEK_FIRST_HOUR``, or earlier for an earlier pin or slot, to
    23) holding its pins and slots; returns the hours shown."""
    earliest = min(
        [WEEK_FIRST_HOUR]
        + [at.hour for day in days for _pin_id, at in day.placed]
        + [slot.at.hour for day in days for slot in day.slots]
    )
    shown = list(range(earliest, 24))
    for day in days:
        by_hour: dict[int, Hour] = {}
        for hour in shown:
            at = local_to_utc(day=day.day, at=time(hour), zone=zone).astimezone(zone)
            by_hour[hour] = Hour(at=at, is_past=at + timedelta(hours=1) <= now)
        for placed in day.placed:
            by_hour[placed[1].hour].placed.append(placed)
        for slot in day.slots:
            by_hour[slot.at.hour].slots.append(slot)
        day.hours = list(by_hour.values())
    return shown


def free_slots(*, project: BlogProject, start: datetime, end: datetime, now: datetime) -> list[FreeSlot]:
    """The project's free queue slots in ``[start, end)`` that are still ahead, in the project's zone:
    the queue's own reads (``selectors_queue``: the weekly slots, and the minutes the account's
    pins hold), a slot free when no pin holds its minute, as ``QueueSlot.is_free`` says."""
    begin = max(start, now)
    if begin >= end:
        return []
    try:
        zone = project.zone
    except ValidationError:  # a project whose stored zone is no zone: the queue refuses it too
        return []
    instants = selectors_queue.slot_instants(
        zone=zone, slots=selectors_queue.project_posting_slots(project=project), start=begin, end=end)
    if not instants:
        return []
    held = {
        selectors_queue.minute_of(at)
        for at in selectors_queue.account_scheduled_times(
            project=project, start=selectors_queue.minute_of(instants[0]), end=instants[-1] + timedelta(minutes=1))
    }
    return [FreeSlot(at=at.astimezone(zone)) for at in instants if at not in held]


def drafts_read(*, tenant: Tenant, filters: PinFilters) -> list[CalendarPin]:
    """The sidebar's drafts of ``filters`` (its statuses aside), last changed first (one more than
    ``DRAFTS_SHOWN``, to say there are more)."""
    drafts = (
        selectors.pins_for_tenant(tenant=tenant, filters=replace(filters, statuses=(PinStatus.DRAFT,)))
        .select_related("project", "board")
        .order_by("-updated_at", "id")[: DRAFTS_SHOWN + 1]
    )
    return [CalendarPin(pin=pin, at=None, own_time="", move_value="") for pin in drafts]
