"""The due-pin sweep: scheduled pins publish themselves, and nothing stays stuck.

One run (``pins_publish_due``):

1. Recovery first: pins still ``publishing`` past their lease (a worker died, or an
   unknown outcome could not be checked) are reconciled by looking at the board.
2. Due pins (``ready_to_schedule``, ``scheduled_at <= now``, an active connection that
   is not spam blocked) are grouped by connection. Each connection's token is read once.
   If Pinterest cannot refresh it for now, or refuses it (the connection becomes
   inactive), the pins wait and the summary's ``skipped_connections`` names the
   connection and why, as it names every inactive or spam-blocked connection holding due
   pins; any other unusable token (none stored, undecryptable) sends every due pin of that
   connection to ``error`` with the reason. The other connections go on.
3. Each connection is worked through in short claims: ``SELECT ... FOR UPDATE SKIP
   LOCKED`` of a few pins (about a minute of pacing's worth), moved to
   ``publishing`` in the same short transaction, then published one by one on the
   engine's paced path outside any transaction. Connections run in parallel
   threads (PostgreSQL; SQLite has one writer, so there they run in turn).
4. A connection still rate limited past the retries, whose token Pinterest rejects, or
   that cannot reach Pinterest at all stops for this run: the rest of its claim goes
   back to ``ready_to_schedule`` untouched (and, but for the rejected token, the pin too).
5. The run never outlives its task: it claims only what it can publish at the
   pacing rate in the time left (``PUBLISH_SWEEP_BUDGET_SECONDS``), and leaves the
   rest for the next run.

Any number of sweeps, bulk tasks and manual publishes may run at once: every
claim is made in the database and pacing slots live on the connection row.
"""

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection as db_connection
from django.db import connections
from django.db.models import F, Max, Q
from django.utils import timezone

from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable
from pinterest.models import PinterestConnection
from pinterest.services.pacing import publish_interval
from publishing.conf import publishing_settings
from publishing.engine import outcome
from publishing.engine.batches import batches_resume_stalled
from publishing.engine.context import context_for
from publishing.engine.create import publish_claimed
from publishing.engine.lease import claim_due
from publishing.engine.reconcile import pin_reconcile
from publishing.engine.results import PublishResult
from publishing.models import PinStatus, PublishAttempt, PublishTrigger
from publishing.selectors import connections_holding_due_pins, pins_due, pins_lease_expired

logger = logging.getLogger(__name__)

#: ``progress(connection_label, report, stopped)``, called as each claim finishes.
Progress = Callable[[str, "SweepReport", str | None], None]

#: Seconds of pacing one claim covers: small against the lease, so a claimed pin
#: never waits long for its slot.
CLAIM_WINDOW_SECONDS = 60
MAX_CLAIM = 50


@dataclass
class SweepReport:
    total: int = 0
    published: int = 0
    failed: int = 0
    released: int = 0
    reconciled: int = 0
    resumed: int = 0
    details: list = field(default_factory=list)
    #: Connections whose due pins wait, and why: [{connection, connection_id, reason}].
    skipped: list = field(default_factory=list)

    def skip(self, connection: PinterestConnection, reason: str) -> None:
        self.skipped.append({"connection": str(connection), "connection_id": connection.pk, "reason": reason})

    def add(self, result: PublishResult, *, connection: str) -> None:
        # Published pins are counted, not listed: a run over a large backlog keeps its memory
        # flat. Their story is in PublishAttempt rows; details name every pin that did not publish.
        if not result.success:
            self._detail(result, connection)
        self._count(result)

    def _detail(self, result: PublishResult, connection: str) -> None:
        self.details.append(
            {
                "pin_id": str(result.pin_id),
                "connection": connection,
                "status": result.status,
                "success": result.success,
                "pinterest_pin_id": result.pinterest_pin_id or None,
                "error": result.error or None,
            }
        )

    def _count(self, result: PublishResult) -> None:
        if result.status in (PinStatus.READY_TO_SCHEDULE, PinStatus.DRAFT):
            self.released += 1
            return
        self.total += 1
        if result.success:
            self.published += 1
        elif result.status == PinStatus.ERROR:
            self.failed += 1

    def merge(self, other: "SweepReport") -> None:
        for name in ("total", "published", "failed", "released", "reconciled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.details.extend(other.details)
        self.skipped.extend(other.skipped)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "published": self.published,
            "failed": self.failed,
            "released": self.released,
            "reconciled": self.reconciled,
            "resumed": self.resumed,
            "details": self.details,
            "skipped_connections": self.skipped,
        }


def _fail_due_pins(*, connection_id: int, now: datetime, error: str, report: SweepReport, label: str) -> None:
    """The connection's token cannot be used: every due pin of it says why."""
    while pins := claim_due(connection_id=connection_id, now=now, limit=MAX_CLAIM):
        for pin in pins:
            report.add(outcome.finish(pin=pin, status=PinStatus.ERROR, error=error), connection=label)


def _sweep_connection(
    *, connection_id: int, now: datetime, deadline: float, limit: int | None, progress: Progress | None
) -> SweepReport:
    report = SweepReport()
    connection = PinterestConnection.objects.get(pk=connection_id)
    label = str(connection)
    try:
        context = context_for(connection)
    except ConnectionRefreshFailing as exc:
        # Passing trouble at Pinterest: the pins are not claimed and wait for a refresh.
        report.skip(connection, str(exc))
        return report
    except ConnectionUnusable as exc:
        connection.refresh_from_db(fields=["is_active"])
        if not connection.is_active:
            # Pinterest refused the token just now: like every inactive account's, its pins wait
            # (their waiting_reason says why) and publish once a person reconnects it.
            report.skip(connection, str(exc))
            return report
        _fail_due_pins(connection_id=connection_id, now=now, error=str(exc), report=report, label=label)
        return report
    interval = publish_interval()
    per_claim = MAX_CLAIM if interval <= 0 else max(1, min(MAX_CLAIM, int(CLAIM_WINDOW_SECONDS / interval)))
    claimed_total = 0
    while True:
        remaining = deadline - time.monotonic()
        affordable = MAX_CLAIM if interval <= 0 else math.floor(remaining / interval)
        want = min(per_claim, affordable)
        if limit is not None:
            want = min(want, limit - claimed_total)
        if remaining <= 0 or want <= 0:
            break
        pins = claim_due(connection_id=connection_id, now=now, limit=want)
        if not pins:
            break
        claimed_total += len(pins)
        for index, pin in enumerate(pins):
            result = publish_claimed(pin=pin, trigger=PublishTrigger.SWEEP, context=context, release_when_stopped=True)
            report.add(result, connection=label)
            if result.stops_connection:
                # Not the pins' fault: the rest of the claim goes back on the schedule.
                for rest in pins[index + 1:]:
                    report.add(outcome.release(pin=rest, note=result.error), connection=label)
                if progress:
                    progress(label, report, result.error)
                return report
        if progress:
            progress(label, report, None)
    return report


def _sweep_connection_guarded(**job: Any) -> SweepReport:
    """One connection's trouble (a database error, a bug) stays with it: the others go on,
    and its claimed pins are recovered after their lease."""
    try:
        return _sweep_connection(**job)
    except Exception:
        logger.exception("sweep: connection %s stopped unexpectedly", job["connection_id"])
        report = SweepReport()
        report.details.append(
            {"pin_id": None, "connection": f"connection {job['connection_id']}", "status": "stopped",
             "success": False, "pinterest_pin_id": None,
             "error": "An unexpected error stopped this connection's sweep; it is retried next run"}
        )
        return report


def _run_in_thread(function: Callable[..., SweepReport], **kwargs: Any) -> SweepReport:
    try:
        return function(**kwargs)
    finally:
        connections.close_all()


def pins_publish_due(
    *, now: datetime | None = None, limit: int | None = None, progress: Progress | None = None
) -> dict:
    """Publish every due pin (see the module docstring). Returns {total, published, failed, details, ...}.

    ``limit`` caps how many pins this run claims (across connections, split evenly).
    ``progress(connection_label, report, stopped)`` is called as each claim finishes.
    """
    now = now or timezone.now()
    started = time.monotonic()
    deadline = started + publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS
    report = SweepReport()

    # Earliest create first: a twin sent earlier decides before a later one looks (reconcile.py).
    expired = (
        pins_lease_expired(now=now)
        .annotate(last_sent=Max("attempts__started_at", filter=Q(attempts__kind=PublishAttempt.Kind.CREATE)))
        .order_by(F("last_sent").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )
    for pin_id in expired.iterator(chunk_size=500):
        if time.monotonic() > deadline:
            break
        try:
            result = pin_reconcile(pin_id=pin_id, trigger=PublishTrigger.SWEEP)
        except Exception:
            # One pin that cannot be reconciled must not stop every tenant's due pins; it
            # stays ``publishing`` and is tried again next run, with the traceback logged.
            logger.exception("sweep: could not reconcile pin %s", pin_id)
            continue
        if result is not None:
            report.reconciled += 1
            report.add(result, connection="(recovery)")

    # A bulk task that died (or a lost queue) must not leave its batch pending forever.
    report.resumed = batches_resume_stalled(now=now)

    for held_back in connections_holding_due_pins(now=now):
        # Their pins are not due while the account cannot publish; say so rather than total: 0.
        report.skip(held_back, held_back.health(now=now)[1])
    connection_ids = sorted(
        set(pins_due(now=now).order_by().values_list("project__pinterest_connection_id", flat=True).distinct())
    )
    if not connection_ids:
        return report.as_dict()
    per_connection_limit = None if limit is None else max(1, math.ceil(limit / len(connection_ids)))
    jobs = [
        {"connection_id": cid, "now": now, "deadline": deadline, "limit": per_connection_limit, "progress": progress}
        for cid in connection_ids
    ]
    parallel = min(len(jobs), publishing_settings.PUBLISH_SWEEP_MAX_PARALLEL)
    # Threads need their own database connections: not on SQLite (one writer), and not
    # when the caller holds a transaction (the threads could not see its rows).
    if db_connection.vendor == "sqlite" or db_connection.in_atomic_block or parallel <= 1:
        results = [_sweep_connection_guarded(**job) for job in jobs]
    else:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            results = list(pool.map(lambda job: _run_in_thread(_sweep_connection_guarded, **job), jobs))
    for connection_report in results:
        report.merge(connection_report)
    logger.info(
        "sweep: %s published, %s failed, %s released, %s reconciled in %.1fs",
        report.published, report.failed, report.released, report.reconciled, time.monotonic() - started,
    )
    return report.as_dict()


def pins_due_preview(*, now: datetime | None = None, limit: int | None = None) -> list[dict]:
    """What a sweep would publish now, without claiming anything (for --dry-run)."""
    now = now or timezone.now()
    queryset = pins_due(now=now).select_related("project__pinterest_connection", "board").order_by("scheduled_at")
    if limit is not None:
        queryset = queryset[:limit]
    return [
        {
            "pin_id": str(pin.pk),
            "title": pin.title,
            "scheduled_at": pin.scheduled_at.isoformat() if pin.scheduled_at else None,
            "connection": str(pin.project.pinterest_connection),
            "board": str(pin.board) if pin.board else None,
        }
        for pin in queryset.iterator(chunk_size=500)
    ]


