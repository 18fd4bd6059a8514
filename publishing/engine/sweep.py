"""The due-pin sweep: scheduled pins publish themselves, and nothing stays stuck.

One run (``pins_publish_due``):

1. Recovery first: pins still ``publishing`` past their lease (a worker died, or an
   unknown outcome could not be checked) are reconciled by looking at the board.
2. Due pins (``ready_to_schedule``, ``scheduled_at <= now``, an active connection that
   is not spam blocked) are published by a ``Dispatcher`` (``dispatch.py``): each account
   at its pacing rate, the calls in flight on a pool of threads, no thread waiting on
   pacing, any number of sweeps and runners sharing the work through the database.
   Connections that cannot publish now are named in ``skipped_connections`` with the reason
   (inactive, spam blocked, a token that cannot be refreshed yet).
3. The run never outlives its task: no call starts after ``PUBLISH_SWEEP_BUDGET_SECONDS``;
   what is left waits for the next run.

Any number of sweeps, runners, bulk batches and manual publishes may run at once: every
claim is made in the database and pacing slots live on the connection row.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Max, Q
from django.utils import timezone

from pinterest.models import PinterestConnection
from publishing.conf import publishing_settings
from publishing.engine.batches import batches_resume_stalled
from publishing.engine.dispatch import Dispatcher, Turn
from publishing.engine.reconcile import pin_reconcile
from publishing.engine.results import PublishResult
from publishing.models import PinStatus, PublishAttempt, PublishTrigger
from publishing.selectors import connections_holding_due_pins, pins_due, pins_lease_expired

logger = logging.getLogger(__name__)

#: ``progress(connection_label, report, stopped)``, called as each account's turn ends.
Progress = Callable[[str, "SweepReport", str | None], None]


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


def pins_publish_due(
    *, now: datetime | None = None, limit: int | None = None, progress: Progress | None = None
) -> dict:
    """Publish every due pin (see the module docstring). Returns {total, published, failed, details, ...}.

    ``limit`` caps how many pins this run claims. ``progress(connection_label, report, stopped)``
    is called as each account's turn ends, with that account's report.
    """
    now = now or timezone.now()
    started = time.monotonic()
    deadline = started + publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS
    report = SweepReport()

    pins_recover(now=now, deadline=deadline, report=report)

    # A bulk task that died (or a lost queue) must not leave its batch pending forever.
    report.resumed = batches_resume_stalled(now=now)

    for held_back in connections_holding_due_pins(now=now):
        # Their pins are not due while the account cannot publish; say so rather than total: 0.
        report.skip(held_back, held_back.health(now=now)[1])
    pins_dispatch(report=report, deadline=deadline, limit=limit, progress=progress)
    logger.info(
        "sweep: %s published, %s failed, %s released, %s reconciled in %.1fs",
        report.published, report.failed, report.released, report.reconciled, time.monotonic() - started,
    )
    return report.as_dict()


def pins_recover(*, now: datetime, deadline: float, report: SweepReport) -> None:
    """Reconcile the pins still ``publishing`` past their lease (a worker died, or an unknown
    outcome could not be checked), by looking at the board; never by posting again."""
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



def pins_dispatch(
    *, report: SweepReport, deadline: float, limit: int | None = None, lookahead: float = 0.0,
    keep_going: Callable[[], bool] | None = None, progress: Progress | None = None,
) -> SweepReport:
    """Publish due pins with a ``Dispatcher`` until nothing is due (or, with ``lookahead``, about
    to be), the deadline passes or ``limit`` pins were claimed; add what happened to ``report``."""
    per_connection: dict[int, SweepReport] = {}

    def on_turn(turn: Turn) -> None:
        own = per_connection.setdefault(turn.connection_id, SweepReport()) if progress else None
        if turn.retrying:
            return  # a 429 the account waits out; the pin is tried again in this run
        for result in turn.results:
            report.add(result, connection=turn.label)
            if own is not None:
                own.add(result, connection=turn.label)
        if turn.waiting and turn.connection is not None:
            report.skip(turn.connection, turn.waiting)
        if turn.crashed:
            report.details.append(
                {"pin_id": None, "connection": turn.label, "status": "stopped", "success": False,
                 "pinterest_pin_id": None,
                 "error": "An unexpected error stopped this connection's sweep; it is retried next run"}
            )
        if progress is not None and own is not None and (turn.results or turn.waiting):
            stopped = next((result.error for result in turn.results if result.stop), None) or turn.waiting or None
            progress(turn.label, own, stopped)

    Dispatcher(deadline=deadline, limit=limit, lookahead=lookahead, keep_going=keep_going, on_turn=on_turn).run()
    return report


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


