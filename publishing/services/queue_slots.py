"""Time-slot queues: a project's weekly posting slots, the next free one, "add to queue", the listing.

A project has a time zone and weekly slots ("Monday 09:00" in that zone). Slot instants are
computed from the project's local calendar and stored (on the pin, as ``scheduled_at``) in UTC.

Daylight saving time. Slots are computed day by day in local time, never by adding hours to an
instant, so every local day gives each of its slots exactly once:

- a local time that happens twice (the autumn change, 02:30 in Europe/Berlin) is its first
  occurrence (summer time, ``fold=0``): used once, never doubled;
- a local time that does not exist (the spring change, 02:30 in Europe/Berlin on that Sunday)
  moves to the end of the gap, the first real instant after it (03:00 local, 01:00 UTC): the
  slot is kept, not skipped. Two slots that land on the same instant this way (a 02:30 and a
  03:00 slot on that Sunday) are one minute, and a minute holds one pin.

Occupancy. A slot is taken while a pin of any project on the same Pinterest account (or of the
project itself, without an account) is scheduled in that minute and not yet decided (ready to
schedule or publishing). It is computed from the pins every time, never kept aside: unscheduling,
deleting, publishing or failing a pin frees its minute at once, and nothing can drift. So two
projects on one account never get the same minute from the queue, even with slots at the same
local time in different zones.

Writes go through ``content.pin_schedule``: the queue only chooses the time; whether the pin may
be scheduled (board, image, status) is that service's rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from publishing.models import BlogProject, Pin, PinStatus, PostingSlot, Weekday, validate_whole_minute
from publishing.services import content

#: Statuses in which a scheduled pin holds its minute.
OCCUPYING_STATUSES = (PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHING)

#: Occupancy is read this many days at a time while looking for a free slot.
WINDOW = timedelta(days=35)

#: At most this many slots a week per project.
MAX_SLOTS = 7 * 48

#: The most days ``project_queue_list`` looks ahead.
MAX_LIST_DAYS = 92


def minute_of(moment: datetime) -> datetime:
    """The start of the minute ``moment`` falls in (a slot is one minute)."""
    return moment.replace(second=0, microsecond=0)


def local_to_utc(*, day: date, at: time, zone: ZoneInfo) -> datetime:
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


def _account_pins(projects: Iterable[BlogProject]):
    """The pins whose minutes the queues of ``projects`` share: those of every project on the
    same Pinterest accounts, and of the projects without an account themselves."""
    projects = list(projects)
    connection_ids = {p.pinterest_connection_id for p in projects if p.pinterest_connection_id}
    lone = [p.pk for p in projects if not p.pinterest_connection_id]
    return Pin.objects.filter(
        Q(project__pinterest_connection_id__in=connection_ids) | Q(project_id__in=lone),
        status__in=OCCUPYING_STATUSES,
    )


def account_key(project: BlogProject) -> tuple[str, int]:
    """Projects with equal keys share their minutes."""
    if project.pinterest_connection_id:
        return ("connection", project.pinterest_connection_id)
    return ("project", project.pk)


class Occupancy:
    """The taken minutes of one account from ``after`` on, read from the pins a window at a time.

    Every minute handed out through ``take`` is remembered, so several queues sharing it (the
    projects of one account, in one bulk request or one CSV import) never hand out a minute twice.
    """

    def __init__(self, *, project: BlogProject, after: datetime, exclude_pin_ids: Iterable = ()):
        self.project = project
        self.after = after
        self.exclude_pin_ids = list(exclude_pin_ids)
        self.loaded_until = minute_of(after)
        self.taken: set[datetime] = set()

    def load_until(self, end: datetime) -> None:
        if end <= self.loaded_until:
            return
        scheduled = (
            _account_pins([self.project])
            .filter(scheduled_at__gte=self.loaded_until, scheduled_at__lt=end)
            .exclude(pk__in=self.exclude_pin_ids)
            .values_list("scheduled_at", flat=True)
        )
        self.taken.update(minute_of(at) for at in scheduled)
        self.loaded_until = end

    def take(self, moment: datetime) -> None:
        self.taken.add(minute_of(moment))


class NoPostingSlots(ValidationError):
    pass


class QueueCursor:
    """The free slots of ``project`` after ``occupancy.after``, in order, each handed out once."""

    def __init__(self, *, project: BlogProject, occupancy: Occupancy):
        self.project = project
        self.zone = project.zone
        self.slots = list(project.posting_slots.values_list("weekday", "local_time"))
        self.occupancy = occupancy
        self.window_start = occupancy.after
        self.pending: list[datetime] = []

    def take(self) -> datetime:
        """The next free slot, now taken. Raises ValidationError (field ``project``) when the
        project has no slots, or none is free within the schedule rule's window (a full queue is
        an error, not an endless search)."""
        if not self.slots:
            raise NoPostingSlots(
                {"project": [f"Project {self.project.name!r} has no posting slots; add weekly slots first."]}
            )
        _earliest, latest = content.schedule_window(now=self.occupancy.after)
        while True:
            while self.pending:
                moment = self.pending.pop(0)
                if moment > latest:
                    self.pending = []
                    break
                if minute_of(moment) not in self.occupancy.taken:
                    self.occupancy.take(moment)
                    return moment
            if self.window_start > latest:
                raise ValidationError(
                    {"project": [f"The queue of project {self.project.name!r} has no free slot before "
                                 f"{latest:%Y-%m-%d %H:%M} UTC, the latest a pin may be scheduled "
                                 "(PIN_SCHEDULE_MAX_AHEAD_DAYS)."]}
                )
            end = self.window_start + WINDOW
            self.occupancy.load_until(end)
            self.pending = [
                t for t in slot_instants(zone=self.zone, slots=self.slots, start=self.window_start, end=end)
                if t > self.occupancy.after
            ]
            self.window_start = end


class AccountQueues:
    """Queue cursors for many projects, sharing one ``Occupancy`` per account."""

    def __init__(self, *, after: datetime, exclude_pin_ids: Iterable = ()):
        self.after = after
        self.exclude_pin_ids = list(exclude_pin_ids)
        self.occupancies: dict[tuple[str, int], Occupancy] = {}
        self.cursors: dict[int, QueueCursor] = {}

    def cursor(self, project: BlogProject) -> QueueCursor:
        if project.pk not in self.cursors:
            key = account_key(project)
            if key not in self.occupancies:
                self.occupancies[key] = Occupancy(
                    project=project, after=self.after, exclude_pin_ids=self.exclude_pin_ids
                )
            self.cursors[project.pk] = QueueCursor(project=project, occupancy=self.occupancies[key])
        return self.cursors[project.pk]


def queues_lock(*, projects: Iterable[BlogProject]) -> None:
    """Hold the queues of ``projects`` until the transaction ends (call it inside one).

    Two requests adding to the queues of one account at once would read the same free minute.
    They are serialised by a row lock on every project of the account (in id order, so two
    requests never wait on each other in a circle), taken before occupancy is read. The projects'
    rows, not the account's: the account's row is held while its token is refreshed at Pinterest,
    and a queue must not wait on Pinterest. SQLite has a single writer and no row locks.
    """
    projects = list(projects)
    connection_ids = {p.pinterest_connection_id for p in projects if p.pinterest_connection_id}
    lone = [p.pk for p in projects if not p.pinterest_connection_id]
    list(
        BlogProject.objects.select_for_update()
        .filter(Q(pinterest_connection_id__in=connection_ids) | Q(pk__in=lone))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _refusal(err: Exception) -> str:
    if isinstance(err, ValidationError):
        if hasattr(err, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in err.message_dict.items())
        return " ".join(err.messages)
    return str(err)


def pins_add_to_queue(*, pins: list[Pin], now: datetime | None = None) -> list[Pin]:
    """Schedule each pin into the next free slot of its project, in the order given; all or none.

    A pin already in the queue may move to an earlier free slot (its own minute counts as free).
    Raises ValidationError: with ``project`` for one pin (no slots, queue full) or the service's
    fields; with ``pin_ids`` listing every refused pin for several. Raises PinNotEditable or
    Pin.DoesNotExist for a single pin.
    """
    now = now or timezone.now()
    with transaction.atomic():
        projects = {pin.project_id: pin.project for pin in pins}
        queues_lock(projects=projects.values())
        queues = AccountQueues(after=now, exclude_pin_ids=[pin.pk for pin in pins])
        if len(pins) == 1:
            (pin,) = pins
            at = queues.cursor(pin.project).take()
            return [content.pin_schedule(pin=pin, scheduled_at=at, now=now)]
        scheduled, problems = [], []
        for pin in pins:
            try:
                with transaction.atomic():
                    at = queues.cursor(pin.project).take()
                    scheduled.append(content.pin_schedule(pin=pin, scheduled_at=at, now=now))
            except (ValidationError, content.ContentConflict, Pin.DoesNotExist) as err:
                problems.append(f"Pin {pin.pk}: {_refusal(err)}")
        if problems:
            raise ValidationError({"pin_ids": problems})
        return scheduled


def pin_add_to_queue(*, pin: Pin, now: datetime | None = None) -> Pin:
    """Schedule ``pin`` into its project's next free slot (see ``pins_add_to_queue``)."""
    (scheduled,) = pins_add_to_queue(pins=[pin], now=now)
    return scheduled


def pin_remove_from_queue(*, pin: Pin) -> Pin:
    """Take ``pin`` off the queue (back to draft): its minute is free again."""
    return content.pin_unschedule(pin=pin)


# --- Slots -----------------------------------------------------------------------------------


def project_slots_replace(*, project: BlogProject, slots: list[tuple[int, time]]) -> list[PostingSlot]:
    """Make ``slots`` (weekday 0 = Monday, local time in whole minutes) the project's weekly slots.

    Raises ValidationError (field ``slots``) naming each bad or repeated slot; nothing changes then.
    Pins already scheduled keep their times.
    """
    problems: list[str] = []
    seen: set[tuple[int, time]] = set()
    if len(slots) > MAX_SLOTS:
        problems.append(f"At most {MAX_SLOTS} slots a week; {len(slots)} were given.")
    for weekday, at in slots:
        if weekday not in Weekday.values:
            problems.append(f"{weekday!r} is not a weekday (0 = Monday ... 6 = Sunday).")
            continue
        label = f"{Weekday(weekday).label} {at:%H:%M}"
        try:
            validate_whole_minute(at)
        except ValidationError as err:
            problems.append(f"{label}: {err.messages[0]}")
            continue
        if (weekday, at) in seen:
            problems.append(f"{label} is given twice.")
        seen.add((weekday, at))
    if problems:
        raise ValidationError({"slots": problems})
    with transaction.atomic():
        queues_lock(projects=[project])
        PostingSlot.objects.filter(project=project).delete()
        PostingSlot.objects.bulk_create(
            [PostingSlot(project=project, weekday=weekday, local_time=at) for weekday, at in sorted(seen)]
        )
    return list(PostingSlot.objects.filter(project=project))


# --- The listing -----------------------------------------------------------------------------


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
    slots = list(project.posting_slots.values_list("weekday", "local_time"))
    instants = slot_instants(zone=project.zone, slots=slots, start=now, end=end)
    if not instants:
        return []
    pins = (
        _account_pins([project])
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
