"""Runners: pins publish on time, and every cluster shares the work.

The sweep every ``PUBLISH_SWEEP_MINUTES`` is the safety net; runners are how pins publish on
time. The two are peers: each takes its work from ``work.py``, neither through the other.
Every minute the ``publish-on-time`` schedule calls ``runners_start`` (and a bulk request, as
it commits): when a pin is due now or within ``PUBLISH_LOOKAHEAD_SECONDS``, or a bulk batch's
pin waits, it enqueues a runner task for each free place, up to ``PUBLISH_RUNNERS`` across
every cluster (and no more than there are accounts with work: ``work.accounts_with_work``).
A runner task (``runner_turn``):

1. takes its place by compare-and-set on the token it was enqueued with, so a task delivered
   twice, or one whose place was handed on while it waited in the queue, stops at once;
2. reconciles pins past their lease (``work.pins_recover``: a runner killed mid-call is
   recovered by the next one);
3. dispatches (``work.pins_dispatch``, a ``dispatch.Dispatcher``) for one turn
   (``PUBLISH_RUNNER_TURN_SECONDS``), waiting for pins scheduled within the lookahead, while
   its heartbeat renews its place;
4. when its turn ran out with work due or about to be, hands its place to a continuation
   task, else frees it (a turn that ended early left only accounts held back for the run).
   Short turns move a long backlog between workers and clusters, and keep every task far
   from django-q2's timeout.

A crashed runner costs seconds, not minutes:

- The heartbeat renews the place every ``PUBLISH_RUNNER_HEARTBEAT_SECONDS`` (on a thread of
  its own, so a long call or reconcile never delays it) for ``EXPIRY_BEATS`` beats: a runner
  whose process dies (SIGKILL, a killed cluster, django-q2's timeout) leaves a stale place
  within seconds. A place reserved for a task that never starts (lost with a killed cluster
  that had fetched it) is stale after ``START_GRACE_BEATS`` beats.
- Each beat of every live runner also looks for stale places: while accounts with work
  outnumber the live runners, it takes a stale place over and enqueues a replacement, which
  any cluster's free worker starts at once. A place freed on purpose (a turn that ended
  early) is left to the minute schedule, so held-back accounts never make runners loop.
- Every cluster watches too (``runners_watch``, one thread per cluster): a cluster with no
  runner of its own starts the replacements when every runner died with another cluster.
- A runner whose turn raises (its database connection killed, say) hands its place on to a
  continuation at once, then raises; a continuation that raises again frees the place (one
  immediate retry per crash, so a lasting fault cannot loop).

The dead runner's claimed pins are recovered after their lease, by looking, never by posting
again: runner places are capacity, never a right to call Pinterest for a pin.
"""

import fcntl
import logging
import os
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import IO

from django.db import DatabaseError, IntegrityError, connections
from django.db import connection as db_connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from publishing.conf import publishing_settings
from publishing.engine import queue
from publishing.engine.dispatch import calls_in_flight
from publishing.engine.work import WorkReport, accounts_with_work, pins_dispatch, pins_recover, work_ahead
from publishing.models import PublishRunner

logger = logging.getLogger(__name__)

#: A place not renewed for this many heartbeats is free again (its runner died)...
EXPIRY_BEATS = 5
#: ...and a place reserved for a task that has not started within this many is free again
#: (the task was lost with its cluster, or waits behind busy workers: a replacement may start).
START_GRACE_BEATS = 10


def _beat() -> timedelta:
    return timedelta(seconds=publishing_settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS)


def _places() -> QuerySet[PublishRunner]:
    """The places in use ([0, PUBLISH_RUNNERS)), created on first use."""
    places = publishing_settings.PUBLISH_RUNNERS
    for slot in range(places):
        try:
            PublishRunner.objects.get_or_create(slot=slot)
        except IntegrityError:
            pass  # another scheduler created it at the same moment
    return PublishRunner.objects.filter(slot__lt=places)


def _stale(now: datetime) -> Q:
    """A place whose runner (or reserved task) stopped renewing it: it died, or was lost."""
    return ~Q(token="") & Q(held_until__lt=now)


def _reserve(*, now: datetime, count: int, stale_only: bool = False) -> list[tuple[int, str]]:
    """Reserve up to ``count`` places (free or stale; only stale with ``stale_only``) for tasks
    about to be enqueued: [(slot, token)]."""
    places = _places()
    available = _stale(now) if stale_only else Q(held_until__isnull=True) | Q(held_until__lt=now)
    reserved = []
    for place in places.filter(available).order_by("slot")[:count]:
        token = uuid.uuid4().hex
        taken = PublishRunner.objects.filter(pk=place.slot, token=place.token, held_until=place.held_until).update(
            token=token, held_until=now + START_GRACE_BEATS * _beat()
        )
        if taken:
            reserved.append((place.slot, token))
    return reserved


def _start(*, now: datetime, stale_only: bool) -> int:
    wanted = accounts_with_work(now=now, limit=publishing_settings.PUBLISH_RUNNERS)
    if not wanted:
        return 0
    live = _places().filter(held_until__gte=now).count()
    reserved = _reserve(now=now, count=wanted - live, stale_only=stale_only) if wanted > live else []
    for slot, token in reserved:
        queue.enqueue_runner(slot=slot, token=token)
    return len(reserved)


def runners_start(*, now: datetime | None = None) -> int:
    """Enqueue runner tasks for free or stale places while accounts with work (due now or about
    to be) outnumber the live runners. Returns how many."""
    return _start(now=now or timezone.now(), stale_only=False)


def runner_heartbeat(*, slot: int, token: str, now: datetime | None = None) -> bool:
    """One beat of a live runner: renew its place, then take over stale places (dead runners')
    while accounts with work outnumber the live runners. Returns False when the place is no
    longer this runner's (it was presumed dead and its place taken)."""
    now = now or timezone.now()
    if not PublishRunner.objects.filter(pk=slot, token=token).update(held_until=now + EXPIRY_BEATS * _beat()):
        return False
    replaced = runners_replace_dead(now=now)
    if replaced:
        logger.warning("runner %s: started %s runner(s) in place of dead ones", slot, replaced)
    return True


def runners_replace_dead(*, now: datetime | None = None) -> int:
    """Enqueue runners in stale places (their runners died, or their tasks were lost) while
    accounts with work outnumber the live runners. Returns how many. One query when none is stale."""
    now = now or timezone.now()
    stale = PublishRunner.objects.filter(slot__lt=publishing_settings.PUBLISH_RUNNERS).filter(_stale(now))
    return _start(now=now, stale_only=True) if stale.exists() else 0


def _connection_usable_again() -> None:
    """After an error, drop this thread's database connection if it died (a killed backend), so
    the next query opens a new one. Inside a transaction (tests) it is left alone."""
    if not db_connection.in_atomic_block:
        db_connection.close_if_unusable_or_obsolete()


class _Heartbeat:
    """Beats for one runner while its turn runs: on its own thread (and database connection)
    when the dispatcher has threads, else whenever the dispatcher asks ``keep_going`` (SQLite,
    or inside a transaction, where a second connection could not see the caller's rows)."""

    def __init__(self, *, slot: int, token: str, threaded: bool):
        self.slot, self.token = slot, token
        self.held = True
        self._beaten_at = time.monotonic()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"runner-{slot}-heartbeat", daemon=True) \
            if threaded else None
        if self._thread is not None:
            self._thread.start()

    def keep_going(self) -> bool:
        """False once the place is no longer this runner's: the dispatcher starts no new call."""
        period = publishing_settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS
        if self._thread is None and self.held and time.monotonic() - self._beaten_at >= period:
            self.beat()
        return self.held

    def beat(self) -> None:
        self._beaten_at = time.monotonic()
        try:
            self.held = runner_heartbeat(slot=self.slot, token=self.token)
        except DatabaseError:
            # The connection died (a killed backend, a restart): the next beat opens a new one.
            # The place is kept meanwhile; if this goes on, it expires by itself.
            logger.warning("runner %s: heartbeat failed; trying again", self.slot, exc_info=True)
            _connection_usable_again()
        except Exception:
            # Starting a replacement failed (the broker, say): this runner keeps working.
            logger.exception("runner %s: heartbeat could not start a replacement", self.slot)

    def _run(self) -> None:
        try:
            while self.held and not self._stopped.wait(publishing_settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()


class _Watch:
    """One thread per cluster that looks for dead runners' places every heartbeat, so a cluster
    with no runner of its own (the others' runners all died with their cluster) starts
    replacements within seconds instead of at the next minute's schedule.

    Every worker process of a cluster starts one (``runners_watch``, on django-q2's
    ``post_spawn``); the one holding a lock on a file named after the cluster (its sentinel's
    pid) looks, the others only try the lock each beat, so a cluster makes one query per beat
    and one database connection, and a worker that dies hands the watch on within a beat."""

    started = False

    def __init__(self) -> None:
        self._path = os.path.join(tempfile.gettempdir(), f"pinpublisher-runner-watch-{os.getppid()}.lock")
        self._file: IO[str] | None = None

    def _watching(self) -> bool:
        if self._file is None:
            handle = open(self._path, "a")  # noqa: SIM115  (held open as long as the lock)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._file = handle
        return True

    def run(self) -> None:
        while True:
            time.sleep(publishing_settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS)
            try:
                if self._watching():
                    replaced = runners_replace_dead()
                    if replaced:
                        logger.warning("runner watch: started %s runner(s) in place of dead ones", replaced)
            except DatabaseError:
                logger.warning("runner watch: the database did not answer; trying again", exc_info=True)
                _connection_usable_again()
            except Exception:
                logger.exception("runner watch: could not look for dead runners")


def runners_watch() -> None:
    """Start this process's watch for dead runners (see ``_Watch``); once per process."""
    if _Watch.started:
        return
    _Watch.started = True
    threading.Thread(target=_Watch().run, name="runner-watch", daemon=True).start()


def _hand_on(*, slot: int, token: str, now: datetime, after_crash: bool = False) -> bool:
    """Give the place to a continuation task; False when it was no longer this runner's."""
    successor = uuid.uuid4().hex
    handed_on = bool(
        PublishRunner.objects.filter(pk=slot, token=token).update(
            token=successor, held_until=now + START_GRACE_BEATS * _beat()
        )
    )
    if handed_on:
        queue.enqueue_runner(slot=slot, token=successor, after_crash=after_crash)
    return handed_on


def _free(*, slot: int, token: str) -> None:
    PublishRunner.objects.filter(pk=slot, token=token).update(token="", held_until=None)


def _after_crash(*, slot: int, token: str, after_crash: bool) -> bool:
    """The turn raised: hand the place on at once (unless this task is itself the retry of a
    crash), else free it. Best effort: with the database still gone the place expires by itself
    within ``EXPIRY_BEATS`` beats. Returns whether a continuation took the place."""
    try:
        _connection_usable_again()
        now = timezone.now()
        if not after_crash and work_ahead(now=now) and _hand_on(slot=slot, token=token, now=now, after_crash=True):
            return True
        _free(slot=slot, token=token)
    except Exception:
        logger.exception("runner %s: could not hand on its place after a crash; it expires by itself", slot)
    return False


def runner_turn(*, slot: int, token: str, after_crash: bool = False) -> dict:
    """One runner's turn (see the module docstring). Returns its summary (``held``: whether the
    place was this task's; ``handed_on``: whether a continuation took it). ``after_crash``: this
    task continues a turn that raised. Raises what the turn raised, after handing its place on."""
    now = timezone.now()
    if not PublishRunner.objects.filter(pk=slot, token=token).update(held_until=now + EXPIRY_BEATS * _beat()):
        return {"held": False, "handed_on": False}
    started = time.monotonic()
    turn = min(publishing_settings.PUBLISH_RUNNER_TURN_SECONDS, publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS)
    deadline = started + turn
    report = WorkReport()
    heartbeat = _Heartbeat(slot=slot, token=token, threaded=calls_in_flight() > 0)
    try:
        pins_recover(now=timezone.now(), deadline=deadline, report=report)
        pins_dispatch(
            report=report, deadline=deadline, lookahead=publishing_settings.PUBLISH_LOOKAHEAD_SECONDS,
            keep_going=heartbeat.keep_going, from_end=slot % 2 == 1,  # two runners meet mid-look
        )
    except Exception:
        heartbeat.stop()
        handed_on = _after_crash(slot=slot, token=token, after_crash=after_crash)
        logger.exception("runner %s: its turn stopped unexpectedly%s", slot, " (handed on)" if handed_on else "")
        raise
    heartbeat.stop()
    handed_on = False
    now = timezone.now()
    # Hand on only a turn that ran out of time: one that ended early left only accounts held back
    # (unreachable, rate limited past the retries), and the next minute's schedule is soon enough
    # to try them again; handing on at once would loop.
    if heartbeat.held and time.monotonic() >= deadline and work_ahead(now=now):
        handed_on = _hand_on(slot=slot, token=token, now=now)
    if not handed_on:
        _free(slot=slot, token=token)
    summary = {key: value for key, value in report.as_dict().items() if key != "details"}
    logger.info(
        "runner %s: %s published, %s failed, %s released, %s reconciled in %.1fs%s",
        slot, report.published, report.failed, report.released, report.reconciled,
        time.monotonic() - started, " (handed on)" if handed_on else "",
    )
    # The worker's parent process is its cluster (django-q2's sentinel): a benchmark or a test
    # can tell which cluster did which share.
    return {**summary, "held": True, "handed_on": handed_on, "cluster_pid": os.getppid()}
