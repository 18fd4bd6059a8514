"""Publishing what is due at the pace each account allows, with no thread waiting on pacing.

Each account's pacing slot lives on its connection's row (``next_publish_at``). A dispatcher:

1. asks the database which accounts have work (a due pin, or a pin of a bulk batch waiting)
   and a free slot, the account whose slot came free first ahead (``looks``, one query for up
   to ``LOOK_ACCOUNTS`` accounts, served in order while the look is fresh): one account's
   backlog never holds another account's single pin for more than a slot, a call and a look;
2. hands each such account, with its row as the look read it, to a thread of its pool, which
   takes the slot by compare-and-set
   (``connection_take_publish_slot``), reads the account's token, claims its next due pin
   (a bulk batch's waiting pin first, claimed by ``batches.batch_pin_claim``: a person asked
   for it now; else the next due pin, with ``SKIP LOCKED``) and makes the one call
   (``publish_claimed``);
3. when no account has a free slot, the dispatcher alone sleeps until the earliest one comes
   (or, with a ``lookahead``, until the next pin's scheduled time).

So the work in flight is the calls being made: a pool of N threads
(``PUBLISH_CALLS_IN_FLIGHT``) keeps up to N calls to Pinterest going whatever the pacing
interval, and one dispatcher holds at most N + 1 database connections (its threads' and its
own). Any number of dispatchers in any number of processes and hosts share the work, because
the slot and the claim are decided in the database: an account makes at most one create per
slot overall, and is in at most one call at a time per dispatcher.

An account that cannot take pins now is held back for the rest of the run: Pinterest kept
answering 429 past the retries (each 429 moves the account's slot by the wait Pinterest
asked for, so no thread sleeps through it), Pinterest could not be reached, or its expired
token cannot be refreshed yet (``pins_due`` then leaves the account out until the refresh's
retry succeeds, so no dispatcher calls the token endpoint in a loop). A token Pinterest
refused, or a spam block, takes the account out of the due pins in the database. Any other unusable token (none stored,
undecryptable) sends every due pin of the account to ``error`` with the reason.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection as db_connection
from django.db import connections
from django.db.models import Min
from django.utils import timezone

from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable
from pinterest.models import PinterestConnection
from pinterest.services.pacing import connection_take_publish_slot
from publishing.conf import publishing_settings
from publishing.engine import outcome
from publishing.engine.batches import batch_items_fail, batch_pin_claim
from publishing.engine.context import Caller, Context, context_for
from publishing.engine.create import publish_claimed
from publishing.engine.lease import claim_due
from publishing.engine.looks import Look, Ready, accounts_look
from publishing.engine.results import PublishResult
from publishing.models import Pin, PinStatus, PublishTrigger
from publishing.rules import connection_problem

logger = logging.getLogger(__name__)

#: How many due pins of an unusable account are failed per claim.
FAIL_CLAIM = 50
#: A pin these statuses were sent back to was not published.
SENT_BACK = (PinStatus.READY_TO_SCHEDULE, PinStatus.DRAFT)
#: An idle dispatcher looks again at least this often (a pin scheduled for now by a person
#: appears in the database without anyone telling the dispatcher).
IDLE_LOOK_SECONDS = 5.0
#: When the next slot comes this soon, the dispatcher wakes for it without asking when the next
#: pin is scheduled: a pin that becomes due meanwhile is found by the look at that wake-up.
SLOT_CLOSE_SECONDS = 0.1
#: A look reads up to this many accounts with a free slot (at least the room for calls); the
#: dispatcher serves them in order and looks again once all are served or the look is
#: ``LOOK_FRESH_SECONDS`` old. So an account whose slot came free after a look, or a bulk pin
#: made since, waits at most that much longer; one look serves many calls.
LOOK_ACCOUNTS = 32
LOOK_FRESH_SECONDS = 0.5


@dataclass
class Turn:
    """What one thread did with one account's slot."""

    connection_id: int
    connection: PinterestConnection | None = None
    claimed: int = 0
    results: list[PublishResult] = field(default_factory=list)
    #: Why the account's due pins wait (its token cannot be used now); they were not claimed.
    waiting: str = ""
    crashed: bool = False
    #: The pin went back after a 429 and the account will be tried again in this run.
    retrying: bool = False
    #: The batch whose waiting pin this turn published (None: a due pin).
    batch_id: UUID | None = None

    @property
    def label(self) -> str:
        return str(self.connection) if self.connection is not None else f"connection {self.connection_id}"


def _fail_due_pins(*, turn: Turn, error: str) -> None:
    """The account's token cannot be used at all: every due pin of it says why."""
    while pins := claim_due(connection_id=turn.connection_id, now=timezone.now(), limit=FAIL_CLAIM):
        turn.claimed += len(pins)
        for pin in pins:
            turn.results.append(outcome.finish(pin=pin, status=PinStatus.ERROR, error=error))


def _serve_batch_pin(*, turn: Turn, context: Context) -> bool:
    """Publish the account's oldest waiting bulk pin, claimed for its batch (``batches``); False
    when it has none."""
    claim = batch_pin_claim(connection_id=turn.connection_id)
    if claim is None:
        return False
    if claim.item is not None and claim.pin is not None:
        item, pin = claim.item, claim.pin
        turn.claimed, turn.batch_id = 1, item.batch_id
        turn.results.append(publish_claimed(pin=pin, trigger=item.batch.trigger, context=context,
                                            caller=Caller.dispatcher(for_batch=True)))
    return True


def serve_account(
    connection_id: int, *, trigger: str = PublishTrigger.SWEEP, connection: PinterestConnection | None = None,
    batch_waiting: bool = True,
) -> Turn:
    """Publish the account's next pin (a bulk batch's first, else a due one) if its slot is
    free. Never raises: whatever goes wrong stays with this account (a claimed pin is
    recovered after its lease).

    ``connection``: the account's row as the dispatcher just read it (else read here); its slot
    is taken by compare-and-set whatever the row says. ``batch_waiting``: whether the dispatcher
    saw a bulk pin of the account waiting; when not, no batch pin is looked for (one made since
    is served in the account's next slot)."""
    turn = Turn(connection_id=connection_id)
    try:
        turn.connection = connection = connection or PinterestConnection.objects.get(pk=connection_id)
        problem = connection_problem(connection)
        if problem:
            # Inactive or spam blocked: its due pins wait (they are not due), and only a bulk
            # batch's pins bring a dispatcher here, whatever its slot; their items say why.
            turn.waiting = problem
            batch_items_fail(connection_id=connection_id, error=problem)
            return turn
        if not connection_take_publish_slot(connection_id=connection_id):
            return turn  # another dispatcher took this slot
        try:
            context = context_for(connection)
        except ConnectionRefreshFailing as exc:
            # Passing trouble at Pinterest: the pins are not claimed. Until the refresh's retry
            # succeeds they are not due (``pins_due``), so no dispatcher calls the token endpoint in a loop.
            turn.waiting = str(exc)
            batch_items_fail(connection_id=connection_id, error=str(exc))
            return turn
        except ConnectionUnusable as exc:
            connection.refresh_from_db(fields=["is_active"])
            if not connection.is_active:
                # Pinterest refused the token just now: like every inactive account's, its pins
                # wait (their waiting_reason says why) and publish once a person reconnects it.
                turn.waiting = str(exc)
            else:
                _fail_due_pins(turn=turn, error=str(exc))
            batch_items_fail(connection_id=connection_id, error=str(exc))
            return turn
        if batch_waiting and _serve_batch_pin(turn=turn, context=context):
            return turn
        pins = claim_due(connection_id=connection_id, now=timezone.now(), limit=1)
        if pins:
            turn.claimed = 1
            turn.results.append(
                publish_claimed(pin=pins[0], trigger=trigger, context=context, caller=Caller.dispatcher())
            )
    except Exception:
        logger.exception("dispatch: connection %s stopped unexpectedly", connection_id)
        turn.crashed = True
    return turn


class _Pool:
    """N threads, each making one call at a time; each closes its database connection when done.
    With no threads, work runs in the caller's thread (SQLite, or inside a transaction)."""

    def __init__(self, size: int, work: Callable[[int], Turn]):
        self.work = work
        self.results: queue.Queue[Turn] = queue.Queue()
        self._jobs: queue.Queue[int | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(size)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        try:
            while (connection_id := self._jobs.get()) is not None:
                self.results.put(self.work(connection_id))
        finally:
            connections.close_all()

    def submit(self, connection_id: int) -> None:
        if self._threads:
            self._jobs.put(connection_id)
        else:
            self.results.put(self.work(connection_id))

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()


def calls_in_flight() -> int:
    """Threads a dispatcher may use: none on SQLite (one writer) or inside a transaction (the
    threads could not see the caller's rows)."""
    if db_connection.vendor == "sqlite" or db_connection.in_atomic_block:
        return 0
    return max(1, publishing_settings.PUBLISH_CALLS_IN_FLIGHT)


#: ``on_turn(turn)``, called in the dispatcher's thread as each account's turn ends.
OnTurn = Callable[[Turn], None]


class Dispatcher:
    """One dispatch run (see the module docstring). ``deadline`` (``time.monotonic()``): no new
    call starts after it. ``limit``: at most this many pins claimed. ``lookahead`` (seconds):
    keep going while a pin becomes due that soon (0: stop once nothing is due now).
    ``keep_going()``: asked between turns; False stops the run (a runner that lost its place).
    ``from_end``: serve each look's accounts from its last (all of them free now): every other
    runner place does, so two runners reading the same look meet in its middle instead of
    racing for the same slots one by one (a lost race is a wasted compare-and-set)."""

    def __init__(
        self, *, deadline: float, on_turn: OnTurn, limit: int | None = None, lookahead: float = 0.0,
        keep_going: Callable[[], bool] | None = None, trigger: str = PublishTrigger.SWEEP, from_end: bool = False,
    ):
        self.from_end = from_end
        self.deadline = deadline
        self.on_turn = on_turn
        self.limit = limit
        self.lookahead = lookahead
        self.keep_going = keep_going or (lambda: True)
        self.trigger = trigger
        self.claimed = 0
        self.in_flight: set[int] = set()
        #: Accounts that cannot take pins for the rest of this run.
        self.held_back: set[int] = set()
        self._rate_limited: dict[int, int] = {}
        #: The rows of the accounts handed to the pool, read by ``_look``.
        self._rows: dict[int, Ready] = {}
        #: The last look's accounts not served yet, in order, and what else it said.
        self._queue: list[Ready] = []
        self._looked_at = 0.0
        self._next_slot: datetime | None = None
        self._maybe_more = False

    # --- the run --------------------------------------------------------------------------

    def run(self) -> None:
        size = calls_in_flight()
        pool = _Pool(size, self._serve)
        capacity = max(1, size)
        try:
            while True:
                going = self._may_start()
                next_slot: datetime | None = None
                if going and len(self.in_flight) < capacity:
                    ready, next_slot = self._next_ready(capacity - len(self.in_flight))
                    for row in ready:
                        self.in_flight.add(row.connection.pk)
                        self._rows[row.connection.pk] = row
                        pool.submit(row.connection.pk)
                if not going or len(self.in_flight) >= capacity:
                    if not self.in_flight:
                        break
                    self._settle_next(pool, IDLE_LOOK_SECONDS)
                    continue
                # Room for more calls: wait for one to end, or for the next slot, whichever comes first.
                wait = self._until_next(next_slot)
                if wait is None and not self.in_flight:
                    break
                self._settle_next(pool, IDLE_LOOK_SECONDS if wait is None else wait)
        finally:
            pool.close()
            while not pool.results.empty():
                self._settle(pool.results.get_nowait())

    def _serve(self, connection_id: int) -> Turn:
        """A pool thread's turn with an account the dispatcher handed it, with the row it read."""
        row = self._rows.pop(connection_id, None)
        if row is None:
            return serve_account(connection_id, trigger=self.trigger)
        return serve_account(connection_id, trigger=self.trigger, connection=row.connection,
                             batch_waiting=row.batch_waiting)

    def _settle_next(self, pool: _Pool, timeout: float) -> None:
        """Settle the next turn that ends within ``timeout``; the loop looks again either way
        (so ``keep_going`` is asked even while every call is long)."""
        try:
            self._settle(pool.results.get(timeout=timeout))
        except queue.Empty:
            pass

    def _may_start(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        if self.limit is not None and self.claimed + len(self.in_flight) >= self.limit:
            return False
        return self.keep_going()

    def _settle(self, turn: Turn) -> None:
        self.in_flight.discard(turn.connection_id)
        self.claimed += turn.claimed
        if turn.waiting or turn.crashed:
            self.held_back.add(turn.connection_id)
        for result in turn.results:
            if result.rate_limited:
                count = self._rate_limited.get(turn.connection_id, 0) + 1
                self._rate_limited[turn.connection_id] = count
                too_long = (result.retry_after or 0) > publishing_settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS
                if count > publishing_settings.PUBLISH_RATE_LIMIT_RETRIES or too_long:
                    self.held_back.add(turn.connection_id)
                else:
                    turn.retrying = True
            elif result.stop:
                self.held_back.add(turn.connection_id)
            elif result.success:
                self._rate_limited.pop(turn.connection_id, None)
            if turn.batch_id is not None and not turn.retrying and result.status in SENT_BACK:
                # Not published and not tried again in this run: the person who asked is told why.
                outcome.tell_batches(batch_id=turn.batch_id, pin_id=result.pin_id, success=False, error=result.error)
        self.on_turn(turn)

    # --- what the database says (``looks``) ----------------------------------------------

    def _next_ready(self, room: int) -> tuple[list[Ready], datetime | None]:
        """Up to ``room`` accounts to serve now, from the last look while it is fresh
        (``LOOK_FRESH_SECONDS``) and not all served, else from a new one; and when the next slot
        comes (now: look again at once) if fewer than ``room`` are ready."""
        if not self._queue or time.monotonic() - self._looked_at >= LOOK_FRESH_SECONDS:
            limit = max(room, LOOK_ACCOUNTS)
            look = self._look(limit)
            self._queue, self._next_slot = list(look.ready), look.next_slot
            self._looked_at, self._maybe_more = time.monotonic(), len(look.ready) == limit
        ready: list[Ready] = []
        while self._queue and len(ready) < room:
            row = self._queue.pop(-1 if self.from_end else 0)
            if row.connection.pk not in self.in_flight and row.connection.pk not in self.held_back:
                ready.append(row)
        if self._queue:
            return ready, None
        return ready, timezone.now() if self._maybe_more else self._next_slot

    def _look(self, room: int) -> Look:
        return accounts_look(now=timezone.now(), exclude=self.in_flight | self.held_back, limit=room)

    def _until_next(self, next_slot: datetime | None) -> float | None:
        """Seconds until an account with a due pin gets its slot (``next_slot``, from the look),
        or (with a lookahead) until the next pin's scheduled time; None when there is nothing to
        wait for."""
        now = timezone.now()
        moments = [next_slot]
        if self.lookahead > 0 and (next_slot is None or (next_slot - now).total_seconds() > SLOT_CLOSE_SECONDS):
            upcoming = Pin.objects.filter(
                status=PinStatus.READY_TO_SCHEDULE, scheduled_at__gt=now,
                scheduled_at__lte=now + timedelta(seconds=self.lookahead),
                project__pinterest_connection__is_active=True,
            ).exclude(project__pinterest_connection_id__in=self.held_back).exclude(
                project__pinterest_connection__spam_blocked_until__gt=now
            )
            moments.append(upcoming.aggregate(at=Min("scheduled_at"))["at"])
        known = [moment for moment in moments if moment is not None]
        if not known:
            return None
        seconds = (min(known) - now).total_seconds()
        return max(0.0, min(seconds, IDLE_LOOK_SECONDS, self.deadline - time.monotonic()))
