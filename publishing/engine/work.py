"""The engine's work, in one place: what there is to publish, publishing it, and what to recover.

The runners (``runners.py``, pins on time) and the sweep (``sweep.py``, the safety net) are
peers: each takes its work from here, neither through the other.

- ``accounts_with_work``, ``work_ahead``: whether there is work, and for how many accounts
  (a pin due now or within ``PUBLISH_LOOKAHEAD_SECONDS``, or a bulk batch's pin waiting).
- ``pins_dispatch``: publish it with a ``Dispatcher`` (``dispatch.py``) until nothing is due,
  the deadline passes or the limit is reached.
- ``pins_recover``: reconcile the pins still ``publishing`` past their lease (a worker died,
  or an unknown outcome could not be checked), by looking at the board, never by posting again.

Both add what happened to a ``WorkReport``.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Max, Q

from pinterest.models import PinterestConnection
from publishing.conf import publishing_settings
from publishing.engine.dispatch import Dispatcher, Turn
from publishing.engine.reconcile import pin_reconcile
from publishing.engine.results import PublishResult
from publishing.models import PinStatus, PublishAttempt, PublishTrigger
from publishing.selectors import batch_items_waiting, pins_due, pins_lease_expired

logger = logging.getLogger(__name__)

#: ``progress(connection_label, report, stopped)``, called as each account's turn ends.
Progress = Callable[[str, "WorkReport", str | None], None]


@dataclass
class WorkReport:
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

    def merge(self, other: "WorkReport") -> None:
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


def accounts_with_work(*, now: datetime, limit: int) -> int:
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


def work_ahead(*, now: datetime) -> bool:
    """Pins due now or within the lookahead, or bulk pins waiting. Pins past their lease are not
    work ahead: a look that keeps failing must not hand a runner on in a loop (each turn starts
    with recovery, and the sweep is the safety net)."""
    soon = now + timedelta(seconds=publishing_settings.PUBLISH_LOOKAHEAD_SECONDS)
    return pins_due(now=soon).exists() or batch_items_waiting().exists()


def pins_dispatch(
    *, report: WorkReport, deadline: float, limit: int | None = None, lookahead: float = 0.0,
    keep_going: Callable[[], bool] | None = None, progress: Progress | None = None, from_end: bool = False,
) -> WorkReport:
    """Publish due pins with a ``Dispatcher`` until nothing is due (or, with ``lookahead``, about
    to be), the deadline passes or ``limit`` pins were claimed; add what happened to ``report``.
    ``from_end``: see ``Dispatcher``."""
    per_connection: dict[int, WorkReport] = {}

    def on_turn(turn: Turn) -> None:
        own = per_connection.setdefault(turn.connection_id, WorkReport()) if progress else None
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

    Dispatcher(deadline=deadline, limit=limit, lookahead=lookahead, keep_going=keep_going, on_turn=on_turn,
               from_end=from_end).run()
    return report


def pins_recover(*, now: datetime, deadline: float, report: WorkReport) -> None:
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
