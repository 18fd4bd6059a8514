"""One sync of a connection at a time: the sync's lease on the connection's analytics state.

A second sync (the daily job's task, "Sync now" through the API, the planner or the admin) while one
runs does nothing and says "already syncing"; a lease a dead worker left expires; the lease is
released when the sync ends, however it ends. The race itself (two takers at once, a sync now
while the daily job's sync runs) is proved on PostgreSQL with real threads and connections.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from analytics.models import ConnectionAnalyticsState, PinDailyMetrics
from analytics.services.lease import SyncLease, sync_lease_take, sync_running
from analytics.tasks import sync_connection_analytics
from tests.analytics.helpers import TODAY, analytics_calls, published_account, sync
from tests.factories import api_client, make_user
from tests.publishing.helpers import in_threads

PINS = [("image", "2026-11-20T19:00:00+00:00"), ("image", "2026-11-21T19:00:00+00:00"),
        ("video", "2026-11-22T08:00:00+00:00")]


@pytest.fixture(autouse=True)
def _standin_today(standin):
    standin.set_analytics_today(TODAY)


def sync_now(connection):
    owner = make_user(connection.tenant)
    return api_client(owner).post(f"/api/connections/{connection.pk}/sync-analytics/")


@pytest.mark.django_db
def test_a_sync_while_another_holds_the_lease_does_nothing_and_says_already_syncing(standin):
    account = published_account(standin, pins=PINS)
    held = sync_lease_take(connection_id=account.connection.pk)

    report = sync(account.connection)

    assert report.skipped and "already syncing" in report.error and report.calls == 0
    assert not analytics_calls(standin) and not analytics_calls(standin, "user_account_analytics")
    assert not PinDailyMetrics.objects.exists()
    # The holder's lease is untouched: it still holds it, and releases it.
    assert held is not None and sync_running(connection_id=account.connection.pk)
    held.release()
    assert not sync_running(connection_id=account.connection.pk)


@pytest.mark.django_db
def test_the_daily_jobs_task_skips_a_connection_being_synced_and_schedules_no_resume(standin):
    account = published_account(standin, pins=PINS)
    sync_lease_take(connection_id=account.connection.pk)

    summary = sync_connection_analytics(account.connection.pk)

    assert "already syncing" in summary
    assert not Schedule.objects.filter(name__startswith="analytics-resume").exists()
    assert not PinDailyMetrics.objects.exists()


@pytest.mark.django_db
def test_sync_now_while_a_sync_runs_is_409_already_syncing_and_queues_nothing(standin):
    account = published_account(standin, pins=PINS)
    sync_lease_take(connection_id=account.connection.pk)

    response = sync_now(account.connection)

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "already_syncing" and "already syncing" in error["message"]
    assert not OrmQ.objects.exists()


@pytest.mark.django_db
def test_the_lease_is_released_when_the_sync_ends_so_the_next_one_runs(standin):
    account = published_account(standin, pins=PINS)

    first = sync(account.connection)
    second = sync(account.connection, days=5)

    assert first.pins_synced == 3 and not first.skipped
    assert second.pins_synced == 3 and not second.skipped
    assert ConnectionAnalyticsState.objects.get(connection=account.connection).sync_started_at is None
    assert sync_now(account.connection).status_code == 202


@pytest.mark.django_db
def test_the_lease_is_released_when_pinterest_stops_the_sync(standin):
    account = published_account(standin, pins=PINS)
    standin.fail_next("503", count=5)

    report = sync(account.connection)

    assert report.stopped and report.resume_at is not None
    assert not sync_running(connection_id=account.connection.pk)


@pytest.mark.django_db
def test_a_lease_older_than_the_setting_is_taken_over(standin, settings):
    """A worker that died mid-sync leaves its stamp; after ANALYTICS_SYNC_LEASE_SECONDS it is free."""
    settings.ANALYTICS_SYNC_LEASE_SECONDS = 60
    account = published_account(standin, pins=PINS)
    sync_lease_take(connection_id=account.connection.pk, now=timezone.now() - timedelta(seconds=61))

    report = sync(account.connection)

    assert not report.skipped and report.pins_synced == 3


@pytest.mark.django_db
def test_a_holder_renews_its_lease_after_half_of_it_and_learns_when_it_was_taken_over(standin, settings):
    settings.ANALYTICS_SYNC_LEASE_SECONDS = 60
    account = published_account(standin, pins=PINS)
    start = timezone.now()
    lease = sync_lease_take(connection_id=account.connection.pk, now=start)
    assert lease is not None

    assert lease.keep(now=start + timedelta(seconds=10)) and lease.stamp == start  # young: not written
    assert lease.keep(now=start + timedelta(seconds=31)) and lease.stamp == start + timedelta(seconds=31)
    # It expired and another sync took it: the first holder learns it and writes nothing more.
    thief = sync_lease_take(connection_id=account.connection.pk, now=lease.stamp + timedelta(seconds=61))
    assert thief is not None
    assert not lease.keep(now=lease.stamp + timedelta(seconds=62))
    lease.release()
    assert ConnectionAnalyticsState.objects.get(connection=account.connection).sync_started_at == thief.stamp


# --- concurrency (PostgreSQL: separate connections at once) ------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_takers_at_once_exactly_one_gets_the_lease(standin):
    account = published_account(standin, pins=PINS[:1])
    for _ in range(10):
        won = in_threads([lambda: sync_lease_take(connection_id=account.connection.pk)] * 2)
        assert not any(isinstance(outcome, Exception) for outcome in won), won
        holders = [lease for lease in won if isinstance(lease, SyncLease)]
        assert len(holders) == 1, won
        holders[0].release()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sync_now_and_a_second_sync_while_the_daily_jobs_sync_runs_are_refused(standin):
    account = published_account(standin, pins=PINS)
    connection_id = account.connection.pk
    standin.set_latency(300)  # the running sync takes about a second
    running: dict = {}

    def daily_sync():
        try:
            running["report"] = sync(account.connection)
        finally:
            from django.db import connections

            connections.close_all()

    worker = threading.Thread(target=daily_sync)
    worker.start()
    deadline = time.monotonic() + 10
    while not sync_running(connection_id=connection_id) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sync_running(connection_id=connection_id), "the daily job's sync never took the lease"

    refused = sync_now(account.connection)
    second = sync(account.connection)
    worker.join(timeout=30)

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_syncing"
    assert second.skipped and second.calls == 0
    assert running["report"].pins_synced == 3 and not running["report"].skipped
    assert not sync_running(connection_id=connection_id)
    assert sync_now(account.connection).status_code == 202
