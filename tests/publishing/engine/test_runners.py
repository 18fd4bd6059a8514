"""Runners: pins publish on time without waiting for the sweep, one account never holds up
another, and the places for runners are shared safely across clusters."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, OperationalError, connections
from django.db import connection as db_connection
from django.utils import timezone
from django_q.conf import Conf

from publishing import tasks
from publishing.engine import runner_turn, runners, runners_start
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Pin, PinStatus, PublishRunner
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """The runner tasks enqueued, as (slot, token), instead of running them."""
    calls = []
    monkeypatch.setattr(
        "publishing.engine.queue.async_task", lambda func, *args, **kwargs: calls.append((func, *args))
    )
    return calls


@pytest.fixture
def run_tasks_inline(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def due(standin, count=1, **kwargs):
    return standin_pins(standin, count=count, scheduled_at=timezone.now() - timedelta(minutes=1), **kwargs)


def test_a_pin_scheduled_for_now_is_published_by_the_minute_schedule_without_waiting_for_the_sweep(
    standin, run_tasks_inline
):
    (pin,) = due(standin)
    assert tasks.publish_on_time() == 1
    pin.refresh_from_db()
    assert pin.status == PinStatus.PUBLISHED
    assert pin.attempts.get().trigger == "sweep"
    assert PublishRunner.objects.get(slot=0).held_until is None  # nothing left: the place is free again


def test_a_runner_task_run_inline_starts_no_cluster_watch_in_the_callers_process(standin, run_tasks_inline):
    due(standin)
    assert tasks.publish_on_time() == 1  # django-q2 runs it in this process, as a worker would
    assert not [thread for thread in threading.enumerate() if thread.name == "runner-watch"]


def test_nothing_due_or_about_to_be_starts_no_runner(standin, enqueued):
    standin_pins(standin, scheduled_at=timezone.now() + timedelta(hours=1))
    standin_pins(standin, scheduled_at=None)
    assert runners_start() == 0
    assert enqueued == []


def test_a_pin_due_within_the_lookahead_starts_a_runner(standin, enqueued, settings):
    settings.PUBLISH_LOOKAHEAD_SECONDS = 120
    standin_pins(standin, scheduled_at=timezone.now() + timedelta(seconds=90))
    assert runners_start() == 1
    assert enqueued[0][0] == "publishing.tasks.publish_runner"


def test_runners_start_no_more_than_the_accounts_with_work_nor_the_places(standin, enqueued, settings):
    settings.PUBLISH_RUNNERS = 3
    due(standin, count=4)
    assert runners_start() == 1  # one account: one runner is all it can use
    for _ in range(4):
        due(standin)
    assert runners_start() == 2  # five accounts, three places, one already held
    assert runners_start() == 0
    slots = sorted(slot for _, slot, _ in enqueued)
    assert slots == [0, 1, 2]
    assert len({token for _, _, token in enqueued}) == 3


def test_a_place_whose_runner_died_is_free_again_after_its_hold(standin, enqueued, settings):
    settings.PUBLISH_RUNNERS = 1
    due(standin)
    assert runners_start() == 1
    assert runners_start() == 0
    PublishRunner.objects.filter(slot=0).update(held_until=timezone.now() - timedelta(seconds=1))
    assert runners_start() == 1
    (_, slot, first), (_, _, second) = enqueued
    assert first != second
    # The first task, delivered late, finds its place handed on and does nothing.
    assert runner_turn(slot=slot, token=first) == {"held": False, "handed_on": False}
    assert Pin.objects.get().status == PinStatus.READY_TO_SCHEDULE


def test_a_runner_waits_for_a_pin_scheduled_within_the_lookahead_and_never_publishes_it_early(
    standin, enqueued, settings
):
    settings.PUBLISH_LOOKAHEAD_SECONDS = 120
    settings.PUBLISH_RUNNER_TURN_SECONDS = 30
    when = timezone.now() + timedelta(seconds=1.5)
    (pin,) = standin_pins(standin, scheduled_at=when)
    assert runners_start() == 1
    (_, slot, token) = enqueued[0]
    summary = runner_turn(slot=slot, token=token)
    pin.refresh_from_db()
    assert (pin.status, summary["published"], summary["handed_on"]) == (PinStatus.PUBLISHED, 1, False)
    assert pin.attempts.get().started_at >= when
    assert standin.creations[0].time >= when.timestamp()


def test_a_runner_with_work_left_at_the_end_of_its_turn_hands_its_place_to_a_continuation(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNER_TURN_SECONDS = 0  # the turn is over before it starts
    due(standin, count=2)
    runners_start()
    (_, slot, token) = enqueued[0]
    summary = runner_turn(slot=slot, token=token)
    assert summary["handed_on"] is True
    (_, next_slot, successor) = enqueued[1]
    assert next_slot == slot and successor != token
    assert PublishRunner.objects.get(slot=slot).token == successor
    settings.PUBLISH_RUNNER_TURN_SECONDS = 60
    assert runner_turn(slot=slot, token=successor)["published"] == 2


def test_one_accounts_backlog_never_holds_up_another_accounts_single_pin(standin, settings):
    """Fair: the account whose slot came free first goes first, so the single pin is among
    the first creates, however many pins the other account has."""
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0.2
    backlog = due(standin, count=6)
    (single,) = due(standin)
    pins_dispatch(report=WorkReport(), deadline=float("inf"), limit=3)
    first_two = [creation.pin_id for creation in standin.creations[:2]]
    single.refresh_from_db()
    assert single.pinterest_pin_id in first_two
    assert Pin.objects.filter(pk__in=[p.pk for p in backlog], status=PinStatus.PUBLISHED).count() == 2


def test_a_dispatcher_never_sleeps_on_a_429_it_moves_the_accounts_slot(standin, settings):
    settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS = 120
    (pin,) = due(standin)
    standin.fail_next_creates("429", retry_after=30)
    report = pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 1)
    connection = pin.project.pinterest_connection
    connection.refresh_from_db()
    pin.refresh_from_db()
    # Back on the schedule, the account's slot 30 s away: the run ended instead of waiting.
    assert pin.status == PinStatus.READY_TO_SCHEDULE
    assert connection.next_publish_at >= timezone.now() + timedelta(seconds=25)
    assert report.published == 0


def test_a_runner_whose_accounts_cannot_take_pins_frees_its_place_instead_of_looping(standin, enqueued, settings):
    """Pinterest unreachable: the turn ends early with the account held back; no continuation is
    enqueued (the next minute's schedule tries again), so no task loop hammers Pinterest."""
    due(standin, count=2)
    settings.PINTEREST_API_BASE = "http://127.0.0.1:9/v5"  # nothing listens: connection refused
    runners_start()
    (_, slot, token) = enqueued[0]
    summary = runner_turn(slot=slot, token=token)
    assert (summary["handed_on"], summary["released"]) == (False, 1)
    assert len(enqueued) == 1
    assert PublishRunner.objects.get(slot=slot).held_until is None
    assert Pin.objects.filter(status=PinStatus.READY_TO_SCHEDULE).count() == 2


# --- a crashed runner costs seconds -------------------------------------------------------


def beats(start, count, period=2.0):
    return start + timedelta(seconds=period * count)


def test_a_place_whose_runner_stopped_heartbeating_is_free_again_within_a_few_heartbeats(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNERS = 1
    settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS = 2
    due(standin)
    start = timezone.now()
    assert runners_start(now=start) == 1
    (_, slot, token) = enqueued[0]
    assert runners.runner_heartbeat(slot=slot, token=token, now=start)  # it took its place, then died
    assert runners_start(now=beats(start, 4)) == 0  # four beats missed: it may only be slow
    assert runners_start(now=beats(start, 5) + timedelta(milliseconds=1)) == 1
    (_, _, replacement) = enqueued[1]
    assert PublishRunner.objects.get(slot=slot).token == replacement != token
    # Were the old runner only frozen, its next beat finds the place gone, and it stops.
    assert runners.runner_heartbeat(slot=slot, token=token, now=beats(start, 6)) is False
    assert PublishRunner.objects.get(slot=slot).token == replacement


def test_a_live_runners_heartbeat_starts_a_runner_in_a_dead_runners_place_which_publishes(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNERS = 2
    settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS = 2
    due(standin)
    due(standin)  # two accounts: work for two runners
    start = timezone.now()
    assert runners_start(now=start) == 2
    (_, alive, alive_token), (_, dead, dead_token) = enqueued
    assert runners.runner_heartbeat(slot=dead, token=dead_token, now=start)  # then its process was killed
    for count in range(5):
        assert runners.runner_heartbeat(slot=alive, token=alive_token, now=beats(start, count))
    assert len(enqueued) == 2  # not yet presumed dead
    assert runners.runner_heartbeat(slot=alive, token=alive_token, now=beats(start, 6))
    (_, slot, replacement) = enqueued[2]
    assert (slot, PublishRunner.objects.get(slot=dead).token) == (dead, replacement)
    assert runner_turn(slot=dead, token=replacement)["published"] == 2
    assert not Pin.objects.exclude(status=PinStatus.PUBLISHED).exists()


def test_a_heartbeat_starts_no_runner_for_a_place_freed_on_purpose_nor_beyond_the_accounts_with_work(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNERS = 3
    settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS = 2
    due(standin)
    due(standin)
    start = timezone.now()
    assert runners_start(now=start) == 2
    (_, alive, alive_token), (_, other, other_token) = enqueued
    # A turn that ended early (its accounts held back) frees its place: the schedule retries it.
    PublishRunner.objects.filter(slot=other).update(token="", held_until=None)
    assert runners.runner_heartbeat(slot=alive, token=alive_token, now=beats(start, 6))
    assert len(enqueued) == 2
    # A dead runner whose work one live runner covers (one account left) is not replaced.
    Pin.objects.filter(pk=Pin.objects.order_by("pk").values("pk")[:1]).update(status=PinStatus.PUBLISHED)
    PublishRunner.objects.filter(slot=other).update(token=other_token, held_until=beats(start, 1))
    assert runners.runner_heartbeat(slot=alive, token=alive_token, now=beats(start, 7))
    assert len(enqueued) == 2


def test_a_clusters_watch_starts_a_runner_in_a_dead_runners_place_when_no_runner_is_left(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS = 2
    due(standin)
    start = timezone.now()
    assert runners_start(now=start) == 1
    (_, slot, token) = enqueued[0]
    assert runners.runner_heartbeat(slot=slot, token=token, now=start)  # then it died with its cluster
    assert runners.runners_replace_dead(now=beats(start, 4)) == 0
    assert runners.runners_replace_dead(now=beats(start, 6)) == 1
    (_, replaced, replacement) = enqueued[1]
    assert (replaced, PublishRunner.objects.get(slot=slot).token) == (slot, replacement)
    assert runner_turn(slot=slot, token=replacement)["published"] == 1


def test_a_runner_whose_turn_raises_hands_its_place_on_at_once_and_a_second_crash_frees_it(
    standin, enqueued, monkeypatch
):
    (pin,) = due(standin)
    runners_start()
    (_, slot, token) = enqueued[0]
    dispatch = runners.pins_dispatch

    def killed_backend(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(runners, "pins_dispatch", killed_backend)
    with pytest.raises(OperationalError):
        runner_turn(slot=slot, token=token)
    (func, next_slot, successor, after_crash) = enqueued[1]
    assert (next_slot, after_crash) == (slot, True)
    assert PublishRunner.objects.get(slot=slot).token == successor != token
    # The continuation crashes too: no loop, the place is free for the schedule's next start.
    with pytest.raises(OperationalError):
        tasks.publish_runner(slot, successor, True)
    assert len(enqueued) == 2
    assert PublishRunner.objects.filter(slot=slot, token="", held_until=None).exists()
    monkeypatch.setattr(runners, "pins_dispatch", dispatch)
    assert runners_start() == 1
    (_, slot, token) = enqueued[2]
    assert runner_turn(slot=slot, token=token)["published"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_runner_whose_database_backends_are_killed_mid_turn_hands_its_place_on_and_the_pin_publishes(
    standin, enqueued, settings
):
    settings.PUBLISH_RUNNER_HEARTBEAT_SECONDS = 0.2
    (pin,) = standin_pins(standin, scheduled_at=timezone.now() + timedelta(seconds=60))  # the runner waits
    assert runners_start() == 1
    (_, slot, token) = enqueued[0]
    reserved = PublishRunner.objects.get(slot=slot).held_until
    ended = {}

    def run():
        try:
            ended["summary"] = runner_turn(slot=slot, token=token)
        except Exception as exc:
            ended["error"] = exc
        finally:
            connections.close_all()

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 30
    while PublishRunner.objects.get(slot=slot).held_until == reserved:  # until its turn has begun
        assert time.monotonic() < deadline, "the runner did not take its place"
        time.sleep(0.05)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert isinstance(ended.get("error"), DatabaseError), ended
    (_, next_slot, successor, after_crash) = enqueued[1]
    assert (next_slot, after_crash) == (slot, True)
    assert PublishRunner.objects.get(slot=slot).token == successor
    Pin.objects.filter(pk=pin.pk).update(scheduled_at=timezone.now())
    assert runner_turn(slot=slot, token=successor, after_crash=True)["published"] == 1
