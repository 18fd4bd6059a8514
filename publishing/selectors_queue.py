"""The reads of the time-slot queues (``publishing.services.queue_slots`` writes): which pins hold
an account's minutes, a project's weekly slots, the listing, and the slot arithmetic (pure, no
query) that the listing and the queue's writes share.

Daylight saving time. Slots are computed day by day in local time, never by adding hours to an
instant, so every local day gives each of its slots exactly once:

- a local time that happens twice (the autumn change, 02:30 in Europe/Berlin) is its first
  occurrence (summer time, ``fold=0``): used once, never doubled;
- a local time that does not exist (the spring change, 02:30 in Europe/Berlin on that Sunday)
  moves to the end of the gap, the first real instant after it (03:00 local, 01:00 UTC): the
  slot is kept, not skipped. Two slots that land on the same instant this way (a 02:30 and a
  03:00 slot on that Sunday) are one minute, and a minute holds one pin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from publishing.models import BlogProject, Pin, PinStatus

#: Statuses in which a scheduled pin holds its minute.
OCCUPYING_STATUSES = (PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHING)

#: The most days ``project_queue_list`` looks ahead.
MAX_LIST_DAYS = 92


def minute_of(moment: datetime) -> datetime:
    """The start of the minute ``moment`` falls in (a slot is one minute)."""
    return moment.replace(second=0, microsecond=0)


def local_to_utc(*, day: date, at: time, zone: tzinfo) -> datetime:
    """The one real instant (UTC) the wall time ``at`` of ``day`` names in ``zone``.

    A time that happens twice is its first occurrence; a time inside a spring-forward gap is
    the end of the gap (see the module's docstring). A wall time with no UTC instant this side of
    year 10000 (9999-12-31 23:00 in America/Adak) is given back in ``zone``, unconverted: the
    schedule rule (``content.schedule_time_problem``) refuses it like any time out of its window.
    """
    naive = datetime.combine(day, at)
    try:
        first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    except OverflowError:
        return naive.replace(tzinfo=zone)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=0 reads the time with the offset before the gap (an instant after it),
    # fold=1 with the offset after (an instant before it). The gap's end lies between.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = first
    offset_after = after.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if middle <= before:
            break
        if middle.astimezone(zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def slot_instants(
    *, zone: ZoneInfo, slots: Iterable[tuple[int, time]], start: datetime, end: datetime
) -> list[datetime]:
    """Every instant (UTC, ascending, once each) of the weekly ``slots`` (weekday 0 = Monday,
    local time) in ``[start, end)``."""
    by_weekday: dict[int, list[time]] = defaultdict(list)
    for weekday, at in slots:
        by_weekday[weekday].append(at)
    if not by_weekday:
        return []
    # A day early and late: a gap can move a slot past midnight, and the zone's day differs from UTC's.
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found = set()
    while day <= last:
        for at in by_weekday.get(day.weekday(), ()):
            instant = local_to_utc(day=day, at=at, zone=zone)
            if start <= instant < end:
                found.add(instant)
        day += timedelta(days=1)
    return sorted(found)


def account_pins_occupying(*, projects: Iterable[BlogProject]) -> QuerySet[Pin]:
    """The pins whose minutes the queues of ``projects`` share: those of every project on the
    same Pinterest accounts, and of the projects without an account themselves."""
    projects = list(projects)
    connection_ids = {p.pinterest_connection_id for p in projects if p.pinterest_connection_id}
    lone = [p.pk for p in projects if not p.pinterest_connection_id]
    return Pin.objects.filter(
        Q(project__pinterest_connection_id__in=connection_ids) | Q(project_id__in=lone),
        status__in=OCCUPYING_STATUSES,
    )


def account_scheduled_times(
    *, project: BlogProject, start: datetime, end: datetime, exclude_pin_ids: Iterable = ()
) -> list[datetime]:
    """The times in ``[start, end)`` of the pins holding minutes of ``project``'s account (its
    occupancy, read a window at a time), leaving out ``exclude_pin_ids``."""
    times = (
        account_pins_occupying(projects=[project])
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .exclude(pk__in=list(exclude_pin_ids))
        .values_list("scheduled_at", flat=True)
    )
    return [at for at in times if at is not None]  # never None within a range; for the type checker


def project_posting_slots(*, project: BlogProject) -> list[tuple[int, time]]:
    """The project's weekly slots as ``(weekday, local time)`` (weekday 0 = Monday)."""
    return list(project.posting_slots.values_list("weekday", "local_time"))


# --- the listing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueSlot:
    """One upcoming slot: its instant, the project's pin in it, or another project's pin that
    took the minute on the same account."""

    at: datetime
    pin: Pin | None
    taken_by: Pin | None

    @property
    def is_free(self) -> bool:
        return self.pin is None and self.taken_by is None


def project_queue_list(*, project: BlogProject, now: datetime | None = None, days: int = 14) -> list[QueueSlot]:
    """The project's slots in the next ``days`` days (at most ``MAX_LIST_DAYS``), with their pins."""
    now = now or timezone.now()
    end = now + timedelta(days=min(max(days, 1), MAX_LIST_DAYS))
    slots = project_posting_slots(project=project)
    instants = slot_instants(zone=project.zone, slots=slots, start=now, end=end)
    if not instants:
        return []
    pins = (
        account_pins_occupying(projects=[project])
        .filter(scheduled_at__gte=minute_of(instants[0]), scheduled_at__lt=instants[-1] + timedelta(minutes=1))
        .select_related("board", "project")
        .order_by("scheduled_at", "created_at")
    )
    own: dict[datetime, Pin] = {}
    other: dict[datetime, Pin] = {}
    for pin in pins:
        assert pin.scheduled_at is not None
        target = own if pin.project_id == project.pk else other
        target.setdefault(minute_of(pin.scheduled_at), pin)
    return [
        QueueSlot(at=at, pin=own.get(at), taken_by=None if at in own else other.get(at)) for at in instants
    ]
