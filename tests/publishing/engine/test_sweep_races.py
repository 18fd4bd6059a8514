"""The sweep under concurrency and crashes, on PostgreSQL with real threads and processes."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection as db_connection
from django.utils import timezone

from publishing.engine import batch_summary, pins_publish_bulk, pins_publish_due
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Pin, PinStatus
from tests.factories import make_tenant
from tests.publishing.helpers import in_threads, pacing_gaps, standin_account, standin_pins

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def due_pins_over_connections(standin, connections, per_connection):
    tenant = make_tenant()
    groups = []
    for _ in range(connections):
        connection, (board,) = standin_account(standin, tenant=tenant)
        groups.append(
            standin_pins(
                standin, count=per_connection, connection=connection, board=board,
                scheduled_at=timezone.now() - timedelta(minutes=1),
            )
        )
    return tenant, groups


def dispatch():
    return pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 60)


def assert_each_created_once(standin):
    assert max(Counter(c.body_hash for c in standin.creations).values()) == 1
    created_ids = {c.pin_id for c in standin.creations}
    published = Pin.objects.filter(status=PinStatus.PUBLISHED)
    assert set(published.values_list("pinterest_pin_id", flat=True)) == created_ids
    assert published.count() == len(standin.creations)


def test_two_sweeps_and_a_bulk_batch_at_once_create_every_pin_exactly_once(standin, monkeypatch):
    tenant, groups = due_pins_over_connections(standin, connections=5, per_connection=40)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)  # dispatched below
    batch = pins_publish_bulk(tenant=tenant, pin_ids=[p.pk for g in groups for p in g])
    results = in_threads([pins_publish_due, pins_publish_due, dispatch, dispatch])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Pin.objects.filter(status=PinStatus.PUBLISHED).count() == 200
    assert standin.created_count() == 200
    assert_each_created_once(standin)
    summary = batch_summary(batch=batch)
    assert (summary["published"], summary["pending"]) == (200, 0)


def _database_url():
    s = db_connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_sweep_killed_mid_run_leaves_no_pin_stuck_and_none_created_twice(standin, settings):
    _, groups = due_pins_over_connections(standin, connections=2, per_connection=15)
    standin.set_latency(300)  # long calls: the kill lands while pins are in flight
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "1",
        "PINTEREST_API_BASE": standin.api_base,
        "PINTEREST_PUBLISH_INTERVAL_SECONDS": "0.3",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    sweep = subprocess.Popen(
        [sys.executable, "manage.py", "publish_due"], cwd=django_settings.BASE_DIR, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        def in_flight():
            return Pin.objects.filter(status=PinStatus.PUBLISHING).exists()

        # Killed while frozen with a pin in flight: checked after SIGSTOP (and a moment for a
        # statement the server is running to end), what the database says stays true until
        # the kill. Checking a running sweep raced with its calls ending.
        while time.monotonic() < deadline and sweep.poll() is None:
            if standin.created_count() >= 4:
                sweep.send_signal(signal.SIGSTOP)
                time.sleep(0.05)
                if in_flight():
                    break
                sweep.send_signal(signal.SIGCONT)
            time.sleep(0.02)
        assert standin.created_count() >= 4, "the sweep did not start publishing"
    finally:
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
    stuck = Pin.objects.filter(status=PinStatus.PUBLISHING).count()
    assert stuck > 0, "the kill should have left claimed pins behind"

    settings.PUBLISH_LEASE_SECONDS = 1
    time.sleep(1.1)
    report = pins_publish_due()
    assert report["reconciled"] == stuck
    assert not Pin.objects.filter(status=PinStatus.PUBLISHING).exists()
    assert not Pin.objects.filter(status=PinStatus.READY_TO_SCHEDULE).exists()
    assert_each_created_once(standin)
    errors = Pin.objects.filter(status=PinStatus.ERROR)
    assert all("interrupted" in pin.error_message for pin in errors)
    assert Pin.objects.filter(status=PinStatus.PUBLISHED).count() + errors.count() == 30


def test_two_dispatchers_share_the_accounts_and_keep_each_accounts_pacing(standin, settings):
    """Two dispatchers (as in two clusters) over the same accounts: every pin created once, and
    the creates of one account never closer than the interval on the stand-in's own clock."""
    # An interval well above the few ms between taking a slot and sending: a loaded machine
    # that descheduled a thread for longer than the interval would let the next slot start early.
    interval = 1.0
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = interval
    due_pins_over_connections(standin, connections=3, per_connection=4)
    standin.set_latency(30)
    reports = in_threads([dispatch] * 2)
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert Pin.objects.filter(status=PinStatus.PUBLISHED).count() == 12
    assert_each_created_once(standin)
    sent, stored = pacing_gaps(standin)
    assert len(sent) == 9
    assert min(sent) >= interval - 0.005, sorted(sent)[:3]
    assert min(stored) >= interval / 2, sorted(stored)[:3]
