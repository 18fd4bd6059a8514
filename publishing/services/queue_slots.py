"""Time-slot queues: a project's weekly posting slots, the next free one, "add to queue", the listing.

A project has a time zone and weekly slots ("Monday 09:00" in that zone). Slot instants are
computed from the project's local calendar and stored (on the pin, as ``scheduled_at``) in UTC.

Occupancy. A slot is taken while a pin of any project on the same Pinterest account (or of the
project itself, without an account) is scheduled in that minute and not yet decided (ready to
schedule or publishing). It is computed from the pins every time, never kept aside: unscheduling,
deleting, publishing or failing a pin frees its minute at once, and nothing can drift. So two
projects on one account never get the same minute from the queue, even with slots at the same
local time in different zones.

Slot instants (and daylight saving time), occupancy's reads and the listing are in
``publishing.selectors_queue``; the names it had here stay importable from here.

Writes go through ``content.pin_schedule``: the queue only chooses the time; whether the pin may
be scheduled (board, image, status) is that service's rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import record as audit_trail
from publishing import acting
from publishing.models import BlogProject, Pin, PostingSlot, ReviewAction, Weekday, validate_whole_minute
from publishing.rules.approval import review_required
from publishing.selectors_queue import (
    MAX_LIST_DAYS,
    OCCUPYING_STATUSES,
    QueueSlot,
    account_scheduled_times,
    local_to_utc,
    minute_of,
    project_posting_slots,
    project_queue_list,
    slot_instants,
)
from publishing.services import content
from publishing.services.content.review import pins_review_request

__all__ = [
    "WINDOW", "MAX_SLOTS", "account_key", "Occupancy", "NoPostingSlots", "QueueCursor", "AccountQueues",
    "queues_lock", "pins_add_to_queue", "pin_add_to_queue", "pin_remove_from_queue", "project_slots_replace",
    # Importable from here as before: the queue's reads and slot arithmetic live in publishing.selectors_queue.
    "MAX_LIST_DAYS", "OCCUPYING_STATUSES", "QueueSlot", "local_to_utc", "minute_of", "project_queue_list",
    "slot_instants",
]

#: Occupancy is read this many days at a time while looking for a free slot.
WINDOW = timedelta(days=35)

#: At most this many slots a week per project.
MAX_SLOTS = 7 * 48


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
        scheduled = account_scheduled_times(
            project=self.project, start=self.loaded_until, end=end, exclude_pin_ids=self.exclude_pin_ids
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
        self.slots = project_posting_slots(project=project)
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

    In a project whose pins need approval, an editor's pins wait in review with "queue" asked
    instead (``publishing.rules.approval``): the slot is taken when an owner approves.
    """
    now = now or timezone.now()
    person = acting.person()
    asked = [pin for pin in pins if review_required(person=person, project=pin.project)]
    if asked:
        with transaction.atomic():
            reviewed = {p.pk: p for p in pins_review_request(pins=asked, action=ReviewAction.QUEUE, by=person, now=now)}
            rest = [pin for pin in pins if pin.pk not in reviewed]
            queued = {p.pk: p for p in pins_add_to_queue(pins=rest, now=now)} if rest else {}
        return [reviewed.get(pin.pk) or queued[pin.pk] for pin in pins]
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
        old = [str(slot) for slot in PostingSlot.objects.filter(project=project).order_by("weekday", "local_time")]
        PostingSlot.objects.filter(project=project).delete()
        PostingSlot.objects.bulk_create(
            [PostingSlot(project=project, weekday=weekday, local_time=at) for weekday, at in sorted(seen)]
        )
        new = [str(slot) for slot in PostingSlot.objects.filter(project=project).order_by("weekday", "local_time")]
        if old != new:
            audit_trail.record("project.slots_replace", project, changes={"posting_slots": [old, new]})
    return list(PostingSlot.objects.filter(project=project))
