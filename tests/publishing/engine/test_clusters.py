"""Two real django-q2 clusters share the runners' work: both publish, each account keeps its
pace across them, and killing one mid-run loses nothing and duplicates nothing.

PostgreSQL only (two processes writing at once). The broker is whichever the settings name:
CI runs this module once with the ORM broker and once with Q_REDIS_URL set.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_q.models import Task

from publishing.engine import pins_publish_due, queue, runners_start
from publishing.models import Pin, PinStatus, PublishRunner
from tests.publishing.engine.test_sweep_races import _database_url, assert_each_created_once, due_pins_over_connections
from tests.publishing.helpers import pacing_gaps

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INTERVAL = 1.0
#: Runners' heartbeat in the clusters: a dead runner's place is stale after 5 beats (2.5 s).
HEARTBEAT = 0.5


def cluster_env(standin):
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "1",
        "PINTEREST_API_BASE": standin.api_base,
        "PINTEREST_PUBLISH_INTERVAL_SECONDS": str(INTERVAL),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "Q_WORKERS": "2",
        "Q_POLL_SECONDS": "0.1",
        "PUBLISH_RUNNERS": "4",
        "PUBLISH_RUNNER_TURN_SECONDS": "1",
        "PUBLISH_CALLS_IN_FLIGHT": "4",
        "PUBLISH_RUNNER_HEARTBEAT_SECONDS": str(HEARTBEAT),
    }


def start(command, standin, **settings):
    return subprocess.Popen(
        [sys.executable, "manage.py", *command], cwd=django_settings.BASE_DIR,
        env={**cluster_env(standin), **settings},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def start_cluster(standin):
    return start(["qcluster"], standin)


def sentinel_pids(cluster):
    """The cluster's child processes (django-q2's sentinel is the parent of its workers)."""
    try:
        with open(f"/proc/{cluster.pid}/task/{cluster.pid}/children") as children:
            return {int(pid) for pid in children.read().split()}
    except FileNotFoundError:
        return set()


def published_by(clusters, sentinels):
    """Pins each cluster's runner tasks reported published (from django-q2's stored results)."""
    counts = dict.fromkeys(clusters, 0)
    for task in Task.objects.filter(func="publishing.tasks.publish_runner"):
        result = task.result if isinstance(task.result, dict) else {}  # a failed task's is its traceback
        for name in clusters:
            if result.get("cluster_pid") in sentinels[name]:
                counts[name] += result.get("published", 0)
    return counts


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_two_clusters_both_publish_keep_pacing_and_a_killed_one_loses_nothing(standin, settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = INTERVAL  # the recovery below paces like the clusters
    due_pins_over_connections(standin, connections=6, per_connection=6)
    standin.set_latency(50)
    clusters = {"a": start_cluster(standin), "b": start_cluster(standin)}
    try:
        wait_for(lambda: all(sentinel_pids(c) for c in clusters.values()), 30, "both clusters to start")
        sentinels = {name: sentinel_pids(c) for name, c in clusters.items()}
        runners_start()
        wait_for(lambda: all(published_by(clusters, sentinels).values()), 60, "both clusters to publish")
        os.killpg(clusters["a"].pid, signal.SIGKILL)  # mid-run: its runners die with their calls
        clusters["a"].wait()
        # No schedule runs here: cluster b's runners take the dead runners' places at their heartbeat.
        wait_for(lambda: not Pin.objects.filter(status=PinStatus.READY_TO_SCHEDULE).exists(), 90,
                 "cluster b to publish the rest")
    finally:
        for cluster in clusters.values():
            if cluster.poll() is None:
                os.killpg(cluster.pid, signal.SIGKILL)  # what it held is recovered below, like a crash
                cluster.wait()
    # The killed cluster's claimed pins are recovered after their lease, by looking.
    settings.PUBLISH_LEASE_SECONDS = 1
    time.sleep(1.1)
    pins_publish_due()
    # Every pin decided; a pin whose create the kill interrupted is on Pinterest and published,
    # or was never created and says so (a person retries it): never both, never twice.
    assert not Pin.objects.filter(status__in=[PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHING]).exists()
    unsent = list(Pin.objects.exclude(status=PinStatus.PUBLISHED).values_list("status", "error_message"))
    assert len(unsent) <= 8, unsent  # at most the calls cluster a had in flight (2 workers x 4)
    assert all(status == PinStatus.ERROR and "not created" in error.replace("did not create", "not created")
               for status, error in unsent), unsent
    assert_each_created_once(standin)
    sent, stored = pacing_gaps(standin)
    assert min(sent) >= INTERVAL - 0.005, sorted(sent)[:3]
    assert min(stored) >= INTERVAL / 2, sorted(stored)[:3]


def test_a_killed_runner_is_replaced_by_a_live_runners_heartbeat_and_every_pin_publishes(
    standin, settings, monkeypatch
):
    """No schedule runs: a live runner's heartbeat (or the cluster's watch) starts a runner in the
    dead one's place."""
    kill_a_runner_and_see_it_replaced(standin, settings, monkeypatch, accounts=2)


def test_a_cluster_with_no_runner_of_its_own_starts_one_in_a_dead_runners_place_within_a_few_beats(
    standin, settings, monkeypatch
):
    """The only runner dies (as when every runner ran in a killed cluster) and no schedule runs:
    the live cluster's watch notices the stale place and starts a runner in it."""
    kill_a_runner_and_see_it_replaced(standin, settings, monkeypatch, accounts=1)


def kill_a_runner_and_see_it_replaced(standin, settings, monkeypatch, *, accounts):
    settings.PUBLISH_RUNNERS = 2
    due_pins_over_connections(standin, connections=accounts, per_connection=2)
    Pin.objects.update(scheduled_at=timezone.now() + timedelta(seconds=20))  # the runners wait for them
    Task.objects.all().delete()  # what other tests' clusters left
    enqueued = []
    monkeypatch.setattr("publishing.engine.queue.enqueue_runner", lambda **place: enqueued.append(place))
    assert runners_start() == accounts
    monkeypatch.undo()
    (doomed, *others) = enqueued
    cluster = start_cluster(standin)
    # The first place's runner runs in a process of its own (not a cluster's), with a long turn,
    # and is killed once it holds the place.
    runner = start(["shell", "-c", f"from publishing.engine import runner_turn; runner_turn(**{doomed!r})"], standin,
                   PUBLISH_RUNNER_TURN_SECONDS="300")
    try:
        wait_for(lambda: sentinel_pids(cluster), 30, "the cluster to start")
        reserved = PublishRunner.objects.get(slot=doomed["slot"]).held_until
        wait_for(lambda: PublishRunner.objects.get(slot=doomed["slot"]).held_until != reserved, 30,
                 "the doomed runner to take its place")
        for other in others:
            queue.enqueue_runner(**other)
            wait_for(lambda slot=other["slot"]: ran_in_place(slot), 30, "the cluster's runner to start")
        assert PublishRunner.objects.get(slot=doomed["slot"]).token == doomed["token"]
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
        wait_for(lambda: ran_in_place(doomed["slot"]), 60, "a runner to start in the dead runner's place")
        wait_for(lambda: not Pin.objects.exclude(status=PinStatus.PUBLISHED).exists(), 90, "every pin to publish")
    finally:
        for process in (cluster, runner):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert_each_created_once(standin)


def ran_in_place(slot):
    """A cluster's runner task held this place and finished its turn."""
    return any(
        task.args[0] == slot and isinstance(task.result, dict) and task.result.get("held")
        for task in Task.objects.filter(func="publishing.tasks.publish_runner")
    )
