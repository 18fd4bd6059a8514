"""Bulk publishing: a batch, its pins published by the runners' dispatchers, results on the batch."""

import time

import pytest
from django_q.conf import Conf

from pinterest.models import PinterestConnection
from publishing.engine import batch_summary, pins_publish_bulk, runner_turn, runners_start
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Pin, PinStatus, PublishBatch
from publishing.tasks import publish_batch_group
from tests.factories import make_pin, make_project
from tests.publishing.helpers import create_calls, standin_account, standin_pins

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks_inline(monkeypatch, django_capture_on_commit_callbacks):
    """Run django-q2 tasks in-process when their transaction commits."""
    monkeypatch.setattr(Conf, "SYNC", True)
    return django_capture_on_commit_callbacks


def dispatch():
    return pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 60)


def test_bulk_publishes_every_pin_and_records_results_on_the_batch(standin, run_tasks_inline):
    pins = standin_pins(standin, count=3)
    connection, (board,) = standin_account(standin, tenant=pins[0].project.tenant)
    other_pins = standin_pins(standin, count=2, connection=connection, board=board)
    no_board = make_pin(project=pins[0].project, board=None)
    ids = [p.pk for p in pins + other_pins] + [no_board.pk]
    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=ids + ids[:1])
    summary = batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))
    assert (summary["total"], summary["published"], summary["skipped"], summary["failed"], summary["pending"]) == (
        6, 5, 0, 1, 0
    )
    failed = next(r for r in summary["results"] if r["success"] is False)
    assert failed == {
        "id": str(no_board.pk), "success": False, "outcome": "failed",
        "error": "Pin must have a Pinterest board assigned",
    }
    assert PublishBatch.objects.get(pk=batch.pk).finished_at is not None
    assert standin.created_count() == 5


def test_bulk_enqueues_nothing_until_commit_and_then_starts_the_runners_once(standin, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    pins = standin_pins(standin, count=2)
    connection, (board,) = standin_account(standin, tenant=pins[0].project.tenant)
    pins += standin_pins(standin, count=2, connection=connection, board=board)
    queued = []
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [("publishing.tasks.publish_on_time",)]


def test_bulk_refuses_another_tenants_pin_and_creates_nothing(standin):
    (mine,) = standin_pins(standin)
    (theirs,) = standin_pins(standin)
    with pytest.raises(Pin.DoesNotExist):
        pins_publish_bulk(tenant=mine.project.tenant, pin_ids=[mine.pk, theirs.pk])
    assert not PublishBatch.objects.exists()


def test_a_batch_dispatched_again_and_an_old_group_task_create_nothing_more(standin, run_tasks_inline):
    pins = standin_pins(standin, count=3)
    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])
    assert standin.created_count() == 3
    dispatch()
    publish_batch_group(str(batch.pk), [str(p.pk) for p in pins])  # a task queued by an older release
    assert standin.created_count() == 3
    assert create_calls(standin) == 3
    assert batch_summary(batch=batch)["published"] == 3


def test_a_pin_published_before_the_batch_counts_as_skipped_without_a_call(standin, run_tasks_inline):
    (pin,) = standin_pins(standin, status=PinStatus.PUBLISHED, pinterest_pin_id="123")
    other = make_pin(project=pin.project, board=pin.board)
    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk, other.pk])
    summary = batch_summary(batch=batch)
    assert (summary["published"], summary["skipped"], summary["failed"], summary["pending"]) == (1, 1, 0, 0)
    results = {r["id"]: r for r in summary["results"]}
    assert results[str(pin.pk)] == {"id": str(pin.pk), "success": True, "outcome": "skipped", "error": None}
    assert results[str(other.pk)]["outcome"] == "published"
    assert create_calls(standin) == 1
    assert PublishBatch.objects.get(pk=batch.pk).finished_at is not None


def test_a_pin_another_request_is_publishing_gets_that_requests_result(standin, run_tasks_inline):
    (pin,) = standin_pins(standin, status=PinStatus.PUBLISHING)
    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk])
    assert batch_summary(batch=batch)["pending"] == 1
    # The holder finishes: its result lands on this batch's item too.
    from django.utils import timezone

    from publishing.engine import outcome

    outcome.finish(pin=pin, status=PinStatus.PUBLISHED, now=timezone.now(), pinterest_pin_id="42")
    summary = batch_summary(batch=batch)
    assert summary["published"] == 1 and summary["pending"] == 0


def test_bulk_pins_of_a_project_without_connection_fail_with_the_reason(standin, run_tasks_inline):
    (pin,) = standin_pins(standin)
    orphan = make_pin(project=make_project(tenant=pin.project.tenant), board=pin.board)
    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk, orphan.pk])
    results = {r["id"]: r for r in batch_summary(batch=batch)["results"]}
    assert results[str(orphan.pk)]["error"] == "No Pinterest account connected to this project"
    assert results[str(pin.pk)]["success"] is True


def test_a_runner_whose_turn_ends_hands_the_rest_of_the_batch_to_its_continuation(standin, settings, monkeypatch):
    # The account's slots an hour apart against a turn of a second: the turn publishes exactly
    # one pin however fast the machine is, and hands the other three on.
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 3600
    pins = standin_pins(standin, count=4)
    queued = []
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: queued.append(args))
    batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])
    settings.PUBLISH_RUNNER_TURN_SECONDS = 1
    assert runners_start() == 1
    (_, slot, token) = queued[-1]
    assert runner_turn(slot=slot, token=token)["handed_on"] is True
    summary = batch_summary(batch=batch)
    assert (summary["published"], summary["pending"]) == (1, 3)
    (_, same_slot, successor) = queued[-1]
    assert same_slot == slot and successor != token
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    PinterestConnection.objects.filter(pk=pins[0].project.pinterest_connection_id).update(next_publish_at=None)
    settings.PUBLISH_RUNNER_TURN_SECONDS = 60
    runner_turn(slot=slot, token=successor)
    assert batch_summary(batch=batch)["published"] == 4
    assert standin.created_count() == 4


def test_the_sweep_settles_and_publishes_a_batch_no_runner_started(standin, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from publishing.engine import pins_publish_due

    pins = standin_pins(standin, count=3)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: None)
    batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])
    # No runner ever ran; one pin was published meanwhile by a person, one failed.
    Pin.objects.filter(pk=pins[0].pk).update(status=PinStatus.PUBLISHED, pinterest_pin_id="7")
    Pin.objects.filter(pk=pins[1].pk).update(
        status=PinStatus.ERROR, error_message="Board not found.", claimed_at=timezone.now()
    )
    PublishBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(hours=1))
    report = pins_publish_due()
    assert report["resumed"] == 1  # left for the dispatcher, which publishes it in the same run
    summary = batch_summary(batch=batch)
    assert (summary["published"], summary["failed"], summary["pending"]) == (2, 1, 0)
    assert standin.created_count() == 1


def test_a_fresh_batch_is_not_resumed(standin, monkeypatch):
    from publishing.engine import pins_publish_due

    pins = standin_pins(standin, count=1)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: None)
    pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[pins[0].pk])
    assert pins_publish_due()["resumed"] == 0


def test_a_failed_pin_published_again_in_bulk_waits_for_its_account_instead_of_failing_with_its_old_error(
        standin, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from publishing.engine import batches_resume_stalled

    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: None)
    failed, fresh = standin_pins(standin, count=2)
    # ``failed`` failed yesterday; the person publishes it again with another pin, an hour before its account may.
    Pin.objects.filter(pk=failed.pk).update(status=PinStatus.ERROR, error_message="Board not found.",
                                            claimed_at=timezone.now() - timedelta(days=1))
    account = PinterestConnection.objects.filter(pk=failed.project.pinterest_connection_id)
    account.update(next_publish_at=timezone.now() + timedelta(hours=1))
    batch = pins_publish_bulk(tenant=failed.project.tenant, pin_ids=[failed.pk, fresh.pk])
    # Meanwhile another request publishes ``fresh``, and it fails.
    Pin.objects.filter(pk=fresh.pk).update(status=PinStatus.ERROR, error_message="Pin too big.",
                                           claimed_at=timezone.now())

    assert batches_resume_stalled(now=timezone.now() + timedelta(minutes=30)) == 1

    items = dict(batch.items.values_list("pin_id", "error"))
    assert items == {failed.pk: "", fresh.pk: "Pin too big."}
    account.update(next_publish_at=None)
    dispatch()
    summary = batch_summary(batch=batch)
    assert (summary["published"], summary["failed"], summary["pending"]) == (1, 1, 0)
    assert Pin.objects.get(pk=failed.pk).status == PinStatus.PUBLISHED and standin.created_count() == 1


def test_a_batch_pin_its_holder_gives_back_while_the_dispatcher_loses_the_claim_still_publishes(standin, monkeypatch):
    from publishing.engine import lease, outcome

    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: None)
    (pin,) = standin_pins(standin)
    batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk])
    real_claim = lease.claim
    raced = []

    def claim_lost_to_a_publish_now(**kwargs):
        if not raced:
            # A person's publish-now holds the pin when the dispatcher tries; it gets a 429 an hour
            # long and gives the pin back untouched, before the dispatcher reads why it lost.
            raced.append(real_claim(**kwargs))
            outcome.release(pin=Pin.objects.get(pk=pin.pk), note="Rate limited by Pinterest")
            return False
        return real_claim(**kwargs)

    monkeypatch.setattr(lease, "claim", claim_lost_to_a_publish_now)
    dispatch()

    assert raced == [True]
    item = batch.items.get()
    assert "cannot be published" not in item.error and item.success is True
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHED and standin.created_count() == 1
    assert batch_summary(batch=batch)["published"] == 1


def test_a_pin_given_back_while_its_bulk_batch_is_made_waits_in_the_batch(standin, monkeypatch,
                                                                          run_tasks_inline):
    from publishing.engine import batches, lease

    (pin,) = standin_pins(standin, status=PinStatus.PUBLISHING)
    read_why = batches.refusal

    def given_back_first(pin_id):
        # The batch read the pin while a publish-now held it; it was given back before the batch looked again.
        lease.release(Pin.objects.get(pk=pin_id))
        return read_why(pin_id)

    monkeypatch.setattr(batches, "refusal", given_back_first)
    with run_tasks_inline() as callbacks:
        batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk])

    assert Pin.objects.get(pk=pin.pk).status in (PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE)
    assert batch.items.get().success is None and len(callbacks) == 1  # waiting, and runners started for it
