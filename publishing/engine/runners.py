"""Runners: pins publish on time, and every cluster shares the work.

The sweep every ``PUBLISH_SWEEP_MINUTES`` is the safety net; runners are how pins publish on
time. Every minute the ``publish-on-time`` schedule calls ``runners_start`` (and a bulk
request, as it commits): when a pin is due now or within ``PUBLISH_LOOKAHEAD_SECONDS``, or a
bulk batch's pin waits, it enqueues a runner task for each free place, up
to ``PUBLISH_RUNNERS`` across every cluster (and no more than there are accounts with work).
A runner task (``runner_turn``):

1. takes its place by compare-and-set on the token it was enqueued with, so a task delivered
   twice, or one whose place was handed on while it waited in the queue, stops at once;
2. reconciles pins past their lease (a runner killed mid-call is recovered by the next one);
3. dispatches (``dispatch.Dispatcher``) for one turn (``PUBLISH_RUNNER_TURN_SECONDS``),
   waiting for pins scheduled within the lookahead, and renews its place as it goes;
4. when its turn ran out with work due or about to be, hands its place to a continuation
   task, else frees it (a turn that ended early left only accounts held back for the run).
   Short turns move a long backlog between workers and clusters, and keep every task far
   from django-q2's timeout.

A runner whose process dies stops renewing its place: the place is free again after
``HOLD_SECONDS`` and the next minute's schedule starts another runner; the dead runner's
claimed pins are recovered after their lease, by looking, never by posting again.
"""

import logging
import os
import time
import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from publishing.conf import publishing_settings
from publishing.engine import queue
from publishing.engine.sweep import SweepReport, pins_dispatch, pins_recover
from publishing.models import PublishRunner
from publishing.selectors import batch_items_waiting, pins_due

logger = logging.getLogger(__name__)

#: A runner renews its place at least this often...
RENEW_SECONDS = 10.0
#: ...and a place not renewed for this long is free again (its runner died).
HOLD_SECONDS = 60.0
#: A place reserved for a task still waiting in the queue is free again after this long.
START_GRACE_SECONDS = 120.0


def _accounts_with_work(*, now: datetime, limit: int) -> int:
    """How many accounts (up to ``limit``) have a pin due now or within the lookahead, or a bulk
    batch's pin waiting."""
    soon = now + timedelta(seconds=publishing_settings.PUBLISH_LOOKAHEAD_SECONDS)
    accounts = set(
        pins_due(now=soon).order_by().values_list("project__pinterest_connection_id", flat=True).distinct()[:limit]
    )
    if len(accounts) < limit:
        accounts |= set(
            batch_items_waiting().order_by().values_list("pin__project__pinterest_connection_id", flat=True)
            .distinct()[:limit]
        )
    return min(limit, len(accounts - {None}))


def _reserve(*, now: datetime, count: int) -> list[tuple[int, str]]:
    """Reserve up to ``count`` free places for tasks about to be enqueued: [(slot, token)]."""
    places = publishing_settings.PUBLISH_RUNNERS
    for slot in range(places):
        try:
            PublishRunner.objects.get_or_create(slot=slot)
        except IntegrityError:
            pass  # another scheduler created it at the same moment
    free = PublishRunner.objects.filter(slot__lt=places).filter(Q(held_until__isnull=True) | Q(held_until__lt=now))
    reserved = []
    for place in free.order_by("slot")[:count]:
        token = uuid.uuid4().hex
        taken = PublishRunner.objects.filter(pk=place.slot, token=place.token, held_until=place.held_until).update(
            token=token, held_until=now + timedelta(seconds=START_GRACE_SECONDS)
        )
        if taken:
            reserved.append((place.slot, token))
    return reserved


def runners_start(*, now: datetime | None = None) -> int:
    """Enqueue runner tasks for the free places when work is due or about to be. Returns how many."""
    now = now or timezone.now()
    wanted = _accounts_with_work(now=now, limit=publishing_settings.PUBLISH_RUNNERS)
    if not wanted:
        return 0
    reserved = _reserve(now=now, count=wanted)
    for slot, token in reserved:
        queue.enqueue_runner(slot=slot, token=token)
    return len(reserved)


def _hold(*, slot: int, token: str) -> bool:
    """Renew this runner's place; False when it is no longer this runner's."""
    until = timezone.now() + timedelta(seconds=HOLD_SECONDS)
    return bool(PublishRunner.objects.filter(pk=slot, token=token).update(held_until=until))


def _work_ahead(now: datetime) -> bool:
    """Pins due now or within the lookahead, or bulk pins waiting. Pins past their lease are not
    work ahead: a look that keeps failing must not hand a runner on in a loop (each turn starts
    with recovery, and the sweep is the safety net)."""
    soon = now + timedelta(seconds=publishing_settings.PUBLISH_LOOKAHEAD_SECONDS)
    return pins_due(now=soon).exists() or batch_items_waiting().exists()


def runner_turn(*, slot: int, token: str) -> dict:
    """One runner's turn (see the module docstring). Returns its summary (``held``: whether the
    place was this task's; ``handed_on``: whether a continuation took it)."""
    if not _hold(slot=slot, token=token):
        return {"held": False, "handed_on": False}
    started = time.monotonic()
    turn = min(publishing_settings.PUBLISH_RUNNER_TURN_SECONDS, publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS)
    deadline = started + turn
    report = SweepReport()
    pins_recover(now=timezone.now(), deadline=deadline, report=report)
    renewed_at, held = started, True

    def keep_going() -> bool:
        nonlocal renewed_at, held
        if time.monotonic() - renewed_at >= RENEW_SECONDS:
            renewed_at = time.monotonic()
            held = _hold(slot=slot, token=token)
        return held

    pins_dispatch(
        report=report, deadline=deadline, lookahead=publishing_settings.PUBLISH_LOOKAHEAD_SECONDS,
        keep_going=keep_going,
    )
    handed_on = False
    now = timezone.now()
    # Hand on only a turn that ran out of time: one that ended early left only accounts held back
    # (unreachable, rate limited past the retries), and the next minute's schedule is soon enough
    # to try them again; handing on at once would loop.
    if held and time.monotonic() >= deadline and _work_ahead(now):
        successor = uuid.uuid4().hex
        handed_on = bool(
            PublishRunner.objects.filter(pk=slot, token=token).update(
                token=successor, held_until=now + timedelta(seconds=START_GRACE_SECONDS)
            )
        )
        if handed_on:
            queue.enqueue_runner(slot=slot, token=successor)
    if not handed_on:
        PublishRunner.objects.filter(pk=slot, token=token).update(token="", held_until=None)
    summary = {key: value for key, value in report.as_dict().items() if key != "details"}
    logger.info(
        "runner %s: %s published, %s failed, %s released, %s reconciled in %.1fs%s",
        slot, report.published, report.failed, report.released, report.reconciled,
        time.monotonic() - started, " (handed on)" if handed_on else "",
    )
    # The worker's parent process is its cluster (django-q2's sentinel): a benchmark or a test
    # can tell which cluster did which share.
    return {**summary, "held": True, "handed_on": handed_on, "cluster_pid": os.getppid()}
