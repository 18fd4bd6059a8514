"""One sync of a connection at a time: a lease on its analytics state, never a lock held across HTTP.

The daily job's task, a resumed sync, "Sync now" (API, planner, admin) and ``manage.py
sync_analytics`` all sync through ``connection_sync_analytics``, which first takes the lease: a
compare-and-set UPDATE of ``ConnectionAnalyticsState.sync_started_at`` (free when empty or older
than ``ANALYTICS_SYNC_LEASE_SECONDS``), committed before any call to Pinterest. On PostgreSQL and
SQLite alike exactly one of two concurrent takers changes the row; the other is told "already
syncing" and the task it ran in skips. The holder renews the stamp as it goes (at most every
half lease) and clears it when done; a worker that died leaves a stamp that expires.

``connection_sync_request`` is what every "Sync now" calls: it refuses an inactive account and a
connection being synced (409, the same words everywhere), else queues the sync for a worker.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from analytics.conf import analytics_settings
from analytics.models import ConnectionAnalyticsState
from analytics.queue import enqueue_connection_sync
from pinpublisher.errors import Conflict
from pinterest.errors import ConnectionUnusable
from pinterest.models import PinterestConnection


class AlreadySyncing(Conflict):
    """A sync of this connection is running: a second one is not started (409)."""

    code = "already_syncing"


def _lease_seconds() -> float:
    return float(analytics_settings.ANALYTICS_SYNC_LEASE_SECONDS)


def _free(now: datetime) -> Q:
    return Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - timedelta(seconds=_lease_seconds()))


def already_syncing_message(connection: PinterestConnection | int) -> str:
    who = f"Pinterest account {connection}" if isinstance(connection, PinterestConnection) else "The connection"
    return f"{who} is already syncing its analytics; try again when it has finished."


@dataclass
class SyncLease:
    """A held lease: ``stamp`` is what this holder wrote (the compare of every later write)."""

    connection_id: int
    stamp: datetime

    def _held(self) -> QuerySet[ConnectionAnalyticsState]:
        return ConnectionAnalyticsState.objects.filter(connection_id=self.connection_id, sync_started_at=self.stamp)

    def keep(self, *, now: datetime | None = None) -> bool:
        """Stamp the lease anew when half of it has passed; False when it was lost (it expired and
        another sync took it)."""
        now = now or timezone.now()
        if now - self.stamp < timedelta(seconds=_lease_seconds() / 2):
            return True
        if not self._held().update(sync_started_at=now):
            return False
        self.stamp = now
        return True

    def release(self) -> None:
        self._held().update(sync_started_at=None)


def sync_lease_take(*, connection_id: int, now: datetime | None = None) -> SyncLease | None:
    """Take the connection's sync lease (committed at once); None when another sync holds it."""
    now = now or timezone.now()
    ConnectionAnalyticsState.objects.get_or_create(connection_id=connection_id)
    with transaction.atomic():
        taken = ConnectionAnalyticsState.objects.filter(_free(now), connection_id=connection_id).update(
            sync_started_at=now
        )
    return SyncLease(connection_id, now) if taken else None


def sync_running(*, connection_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return ConnectionAnalyticsState.objects.filter(connection_id=connection_id).exclude(_free(now)).exists()


def connection_sync_request(*, connection: PinterestConnection) -> None:
    """"Sync now": queue the connection's sync for a worker. ConnectionUnusable (409) when the
    account is not connected, AlreadySyncing (409) while a sync of it runs."""
    if not connection.is_active:
        raise ConnectionUnusable(f"Pinterest account {connection} is not connected; reconnect it first.")
    if sync_running(connection_id=connection.pk):
        raise AlreadySyncing(already_syncing_message(connection))
    enqueue_connection_sync(connection_id=connection.pk)
