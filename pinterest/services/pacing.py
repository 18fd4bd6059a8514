"""Pacing: at most one pin creation per interval per Pinterest account, across every
process and host. The slot lives on the connection's row (``next_publish_at``)."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from pinpublisher import statements
from pinterest.conf import pinterest_settings
from pinterest.models import PinterestConnection

#: A caller that lost a slot to another publisher looks again at least this late.
MIN_RECHECK_SECONDS = 0.005


def publish_interval() -> float:
    """Seconds between two creations of one account (0: no pacing)."""
    return float(pinterest_settings.PINTEREST_PUBLISH_INTERVAL_SECONDS)


def connection_wait_for_publish_slot(
    *, connection_id: int, sleep: Callable[[float], None], max_wait: float | None = None
) -> bool:
    """Wait until this caller takes the connection's slot (``connection_take_publish_slot``);
    True when it did.

    ``max_wait`` (seconds; a person is waiting): never sleep past it. As soon as the slot comes
    later than that (a 429's Retry-After moved it, other publishers took the slots before it),
    return False at once, without sleeping and without the slot: the caller hands the pin on.
    None waits as long as the slot takes (a dispatcher's thread, which took its slot already).

    Slots are never reserved ahead: a slot taken now is moved to the create's real start as it
    leaves (``connection_defer_publishing``), and a slot reserved ahead would have been computed
    from the value before that move. No transaction is held while waiting.
    """
    started, slept = time.monotonic(), 0.0
    while not connection_take_publish_slot(connection_id=connection_id):
        next_at = connection_next_publish_at(connection_id=connection_id)
        delay = max(MIN_RECHECK_SECONDS, (next_at - timezone.now()).total_seconds() if next_at else 0.0)
        if max_wait is not None and delay > max_wait - max(time.monotonic() - started, slept):
            return False
        sleep(delay)
        slept += delay
    return True


def connection_next_publish_at(*, connection_id: int) -> datetime | None:
    """When the connection's next create may start (None or a past time: now)."""
    return PinterestConnection.objects.filter(pk=connection_id).values_list("next_publish_at", flat=True).get()


def connection_take_publish_slot(*, connection_id: int, now: datetime | None = None) -> bool:
    """Take the connection's slot if it is free at ``now``, without waiting: True when this
    caller may create a pin for the account now. One conditional UPDATE (compare-and-set),
    so of any number of dispatchers in any number of processes exactly one wins each slot,
    and a loser is free to serve another account instead of sleeping."""
    now = now or timezone.now()
    until = now + timedelta(seconds=max(0.0, publish_interval()))
    if not statements.enabled():
        return bool(_slot_free(connection_id=connection_id, now=now).update(next_publish_at=until))
    # Every dispatcher's thread runs this before each create, and a lost race runs it again:
    # compiled once, prepared on PostgreSQL (``pinpublisher.statements``).
    sql, params = _take.statement(connection_id=connection_id, now=now, until=until)
    with statements.statement_cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount)


def _slot_free(*, connection_id: int, now: datetime) -> QuerySet[PinterestConnection]:
    return PinterestConnection.objects.filter(Q(next_publish_at__isnull=True) | Q(next_publish_at__lte=now),
                                              pk=connection_id)


def _take_sql(*, key: tuple, connection_id: int, now: datetime, until: datetime) -> tuple[str, tuple]:
    return statements.update_sql(_slot_free(connection_id=connection_id, now=now), {"next_publish_at": until})


_take = statements.Precompiled(_take_sql, datetimes=("now", "until"), ints=("connection_id",))


def later_than(until: datetime) -> Q:
    """Connections whose slot comes before ``until`` (the filter that only ever moves a slot later)."""
    return Q(next_publish_at__isnull=True) | Q(next_publish_at__lt=until)


def connection_defer_publishing(*, connection_id: int, until: datetime) -> None:
    """No publisher of this connection starts before ``until`` (after a 429, or as each create
    leaves). One conditional UPDATE, atomic on its own: it only ever moves the slot later."""
    PinterestConnection.objects.filter(later_than(until), pk=connection_id).update(next_publish_at=until)
