"""The due-pin sweep: scheduled pins publish themselves, and nothing stays stuck (the safety net).

A peer of the runners: both take their work from ``work.py``. One run (``pins_publish_due``):

1. Recovery first: pins still ``publishing`` past their lease (a worker died, or an
   unknown outcome could not be checked) are reconciled by looking at the board
   (``work.pins_recover``).
2. Bulk batches no dispatcher can publish are settled (``batches.batches_resume_stalled``).
3. Due pins (``ready_to_schedule``, ``scheduled_at <= now``, an active connection that
   is not spam blocked) are published (``work.pins_dispatch``, a ``Dispatcher``): each account
   at its pacing rate, the calls in flight on a pool of threads, no thread waiting on
   pacing, any number of sweeps and runners sharing the work through the database.
   Connections that cannot publish now are named in ``skipped_connections`` with the reason
   (inactive, spam blocked, a token that cannot be refreshed yet).
4. The run never outlives its task: no call starts after ``PUBLISH_SWEEP_BUDGET_SECONDS``;
   what is left waits for the next run.

Any number of sweeps, runners, bulk batches and manual publishes may run at once: every
claim is made in the database and pacing slots live on the connection row.
"""

import logging
import time
from datetime import datetime

from django.utils import timezone

from publishing.conf import publishing_settings
from publishing.engine.batches import batches_resume_stalled
from publishing.engine.work import Progress, WorkReport, pins_dispatch, pins_recover
from publishing.selectors import connections_holding_due_pins, pins_due

logger = logging.getLogger(__name__)


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
    report = WorkReport()

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


