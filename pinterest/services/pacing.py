"""Pacing: at most one pin creation per interval per Pinterest account, across every
process and host. The slot lives on the connection's row (``next_publish_at``)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pinterest.conf import pinterest_settings
from pinterest.models import PinterestConnection


def publish_interval() -> float:
    """Seconds between two creations of one account (0: no pacing)."""
    return float(pinterest_settings.PINTEREST_PUBLISH_INTERVAL_SECONDS)


def connection_reserve_publish_slot(*, connection_id: int) -> datetime:
    """Reserve the next create-pin slot of a connection; returns when it starts.

    The slot is taken under a row lock in a short transaction (the caller waits for it
    afterwards, outside any transaction). Other connections' rows are untouched, so
    different accounts never wait for each other.
    """
    interval = publish_interval()
    now = timezone.now()
    if interval <= 0:
        return now
    with transaction.atomic():
        next_at = (
            PinterestConnection.objects.select_for_update()
            .filter(pk=connection_id)
            .values_list("next_publish_at", flat=True)
            .get()
        )
        now = timezone.now()
        slot = max(now, next_at) if next_at else now
        PinterestConnection.objects.filter(pk=connection_id).update(
            next_publish_at=slot + timedelta(seconds=interval)
        )
    return slot


def connection_take_publish_slot(*, connection_id: int, now: datetime | None = None) -> bool:
    """Take the connection's slot if it is free at ``now``, without waiting: True when this
    caller may create a pin for the account now. One conditional UPDATE (compare-and-set),
    so of any number of dispatchers in any number of processes exactly one wins each slot,
    and a loser is free to serve another account instead of sleeping."""
    now = now or timezone.now()
    free = Q(next_publish_at__isnull=True) | Q(next_publish_at__lte=now)
    taken = PinterestConnection.objects.filter(free, pk=connection_id).update(
        next_publish_at=now + timedelta(seconds=max(0.0, publish_interval()))
    )
    return bool(taken)


def connection_defer_publishing(*, connection_id: int, until: datetime) -> None:
    """No publisher of this connection starts before ``until`` (after a 429, or as each create
    leaves). One conditional UPDATE, atomic on its own: it only ever moves the slot later."""
    PinterestConnection.objects.filter(pk=connection_id).filter(
        Q(next_publish_at__isnull=True) | Q(next_publish_at__lt=until)
    ).update(next_publish_at=until)
