"""Publish now never holds a person's request longer than ``PUBLISH_NOW_MAX_WAIT_SECONDS`` for the
account's pacing slot, Pinterest's rate limits or a video's processing: what would wait longer is
handed to the dispatchers as a batch of one (before the claim when the wait is known up front,
else with the pin given back untouched), and the dispatchers publish it exactly once.

No test here reads the wall clock: every sleep publish-now asks for is recorded (and none is
taken), and one longer than the bound fails the test (today's code asked for an hour)."""

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from pinterest.models import PinterestConnection
from publishing.conf import publishing_settings
from publishing.engine import PinNotPublishable, batch_summary, batches_resume_stalled, outcome, pin_publish
from publishing.engine import create as create_module
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import MediaState, Pin, PinStatus, PublishBatch
from tests.publishing.engine.test_media_kinds import account, video_pin  # noqa: F401 (a fixture)
from tests.publishing.helpers import create_calls, in_threads, standin_pins

pytestmark = pytest.mark.django_db

BOUND = 15.0
HOUR = 3600


@pytest.fixture(autouse=True)
def _bound(settings):
    settings.PUBLISH_NOW_MAX_WAIT_SECONDS = BOUND


@pytest.fixture
def sleeps(monkeypatch):
    """Every sleep publish-now asks for; sleeps past the bound in all fail the test. None is taken:
    the time passes for the accounts' slots instead (a slot due within the sleep is free after it)."""
    asked = []
    context_for = create_module.context_for

    def sleep(seconds):
        asked.append(seconds)
        if sum(asked) > BOUND:
            raise AssertionError(f"publish-now asked to sleep {sum(asked):.0f} s in all")
        now = timezone.now()
        PinterestConnection.objects.filter(next_publish_at__lte=now + timedelta(seconds=seconds)).update(
            next_publish_at=now
        )

    monkeypatch.setattr(create_module, "context_for", lambda connection: replace(context_for(connection), sleep=sleep))
    return asked


def reload(pin):
    return Pin.objects.get(pk=pin.pk)


def slot_of(pin):
    return PinterestConnection.objects.get(pk=pin.project.pinterest_connection_id).next_publish_at


def an_hour_later(pin):
    """The account's Retry-After has run out (its slot is free again)."""
    PinterestConnection.objects.filter(pk=pin.project.pinterest_connection_id).update(
        next_publish_at=timezone.now() - timedelta(seconds=1)
    )


def dispatch(seconds=60.0):
    return pins_dispatch(report=WorkReport(), deadline=time.monotonic() + seconds)


def assert_handed_off(result, pin, *, expected_at):
    """The request answered with a batch of one and the account's next slot; the pin is not held."""
    assert not result.success and result.batch_id is not None
    assert result.expected_at == expected_at
    stored = reload(pin)
    assert stored.status in Pin.PUBLISHABLE_STATUSES and stored.publishing_started_at is None
    batch = PublishBatch.objects.get(pk=result.batch_id)
    assert batch.total == 1 and list(batch.items.values_list("pin_id", "success")) == [(pin.pk, None)]


def test_a_429_retry_after_an_hour_hands_the_pin_to_the_dispatchers_without_waiting(standin, sleeps,
                                                                                   monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    first, second = standin_pins(standin, count=2)
    standin.fail_next_creates("429", retry_after=HOUR)
    before = timezone.now()

    result = pin_publish(pin_id=first.pk, trigger="manual")

    slot = slot_of(first)
    assert slot >= before + timedelta(seconds=HOUR)  # every publisher of the account holds back
    assert_handed_off(result, first, expected_at=slot)
    assert "Rate limited by Pinterest" in result.error
    assert sum(sleeps) <= BOUND

    # Another pin of the account: decided before its claim, nothing sent, nothing waited.
    other = pin_publish(pin_id=second.pk, trigger="manual")

    assert_handed_off(other, second, expected_at=slot)
    assert reload(second).claimed_at is None and not reload(second).attempts.exists()
    assert create_calls(standin) == 1 and sleeps == []


def test_the_dispatchers_publish_each_handed_off_pin_exactly_once_when_the_hour_is_over(standin, sleeps,
                                                                                       monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    first, second = standin_pins(standin, count=2)
    standin.fail_next_creates("429", retry_after=HOUR)
    batches = [pin_publish(pin_id=pin.pk, trigger="manual").batch_id for pin in (first, second)]

    dispatch(seconds=0.5)
    assert standin.created_count() == 0  # the hour is not over: the dispatchers wait too

    an_hour_later(first)
    dispatch()
    dispatch()

    assert [reload(pin).status for pin in (first, second)] == [PinStatus.PUBLISHED] * 2
    assert standin.created_count() == 2 and create_calls(standin) == 3  # the 429, then one create each
    assert {creation.pin_id for creation in standin.creations} == {reload(first).pinterest_pin_id,
                                                                   reload(second).pinterest_pin_id}
    for batch_id in batches:
        summary = batch_summary(batch=PublishBatch.objects.get(pk=batch_id))
        assert (summary["published"], summary["pending"], summary["failed"]) == (1, 0, 0)
        assert summary["finished_at"] is not None
    assert list(reload(first).attempts.order_by("started_at").values_list("trigger", "outcome")) == [
        ("manual", "rate_limited"), ("manual", "success"),
    ]


def test_a_failed_pin_handed_off_before_the_claim_waits_for_its_account_instead_of_failing_with_its_old_error(
        standin, sleeps, monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    (pin,) = standin_pins(standin)
    # As a publish yesterday left it; the person now publishes it again.
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.ERROR, error_message="Board not found.",
                                         claimed_at=timezone.now() - timedelta(days=1))
    PinterestConnection.objects.filter(pk=pin.project.pinterest_connection_id).update(
        next_publish_at=timezone.now() + timedelta(seconds=HOUR)  # Pinterest's Retry-After
    )

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert result.batch_id is not None and reload(pin).status == PinStatus.ERROR  # handed off before the claim
    # The sweep, minutes later, with the account's slot still most of an hour off.
    later = timezone.now() + timedelta(seconds=publishing_settings.task_retry_seconds + 120)
    assert batches_resume_stalled(now=later) == 1
    item = PublishBatch.objects.get(pk=result.batch_id).items.get()
    assert (item.success, item.error) == (None, "")

    an_hour_later(pin)
    dispatch()

    assert reload(pin).status == PinStatus.PUBLISHED and standin.created_count() == 1
    summary = batch_summary(batch=PublishBatch.objects.get(pk=result.batch_id))
    assert (summary["published"], summary["failed"], summary["pending"]) == (1, 0, 0)


def test_429_waits_that_add_up_past_the_bound_hand_the_pin_on_after_the_waits_that_fit(standin, sleeps,
                                                                                     settings, monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS = 6  # no Retry-After: 6 s, then 12 s
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("429", count=2)

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert sleeps == [6]
    assert_handed_off(result, pin, expected_at=slot_of(pin))
    assert create_calls(standin) == 2 and standin.created_count() == 0


def test_a_pin_given_back_whose_batch_cannot_be_made_is_answered_not_queued_instead_of_a_server_error(
        standin, sleeps, monkeypatch, caplog):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    (pin,) = standin_pins(standin, status=PinStatus.DRAFT, scheduled_at=None)
    standin.fail_next_creates("429", retry_after=HOUR)

    def database_fails(**kwargs):
        with connection.cursor() as cursor:  # a real error: on PostgreSQL it aborts the transaction
            cursor.execute("SELECT * FROM publishing_no_such_table")

    monkeypatch.setattr(create_module, "pins_publish_bulk", database_fails)

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert not result.success and result.batch_id is None and result.status == PinStatus.DRAFT
    assert "Rate limited by Pinterest" in result.error and "not queued; publish it again" in result.error
    stored = reload(pin)
    assert (stored.status, stored.publishing_started_at) == (PinStatus.DRAFT, None)
    assert not PublishBatch.objects.exists() and create_calls(standin) == 1
    assert f"pin {pin.pk} was given back but could not be handed to the dispatchers" in caplog.text


def test_a_pin_deleted_while_its_publish_now_is_given_back_is_answered_not_queued(standin, sleeps, monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("429", retry_after=HOUR)
    give_back = outcome.release

    def given_back_then_deleted(**kwargs):
        result = give_back(**kwargs)
        Pin.objects.filter(pk=pin.pk).delete()  # a person deletes it in another tab, once it is given back
        return result

    monkeypatch.setattr(outcome, "release", given_back_then_deleted)

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert not result.success and result.batch_id is None and result.status == "deleted"
    assert "not queued" in result.error and not PublishBatch.objects.exists()


def test_an_account_whose_slot_others_keep_taking_hands_the_pin_on_instead_of_waiting(standin, sleeps,
                                                                                     monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    (pin,) = standin_pins(standin)
    slot = timezone.now() + timedelta(seconds=10)
    PinterestConnection.objects.filter(pk=pin.project.pinterest_connection_id).update(next_publish_at=slot)

    def others_take_it(**kwargs):
        # While this request waits, other publishers take the slot and the next ones.
        PinterestConnection.objects.filter(pk=pin.project.pinterest_connection_id).update(
            next_publish_at=timezone.now() + timedelta(seconds=60)
        )
        return False

    monkeypatch.setattr("pinterest.services.pacing.connection_take_publish_slot", others_take_it)

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert sum(sleeps) <= BOUND
    assert_handed_off(result, pin, expected_at=slot_of(pin))
    assert create_calls(standin) == 0 and not reload(pin).attempts.exists()


def test_a_slot_within_the_bound_is_waited_for_and_the_pin_published(standin, monkeypatch):
    (pin,) = standin_pins(standin)
    its_account = PinterestConnection.objects.filter(pk=pin.project.pinterest_connection_id)
    its_account.update(next_publish_at=timezone.now() + timedelta(seconds=BOUND - 5))
    asked = []

    def sleep(seconds):  # the time passes: the slot comes
        asked.append(seconds)
        its_account.update(next_publish_at=timezone.now())

    context_for = create_module.context_for
    monkeypatch.setattr(create_module, "context_for", lambda connection: replace(context_for(connection), sleep=sleep))

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert result.success and result.batch_id is None and reload(pin).status == PinStatus.PUBLISHED
    assert len(asked) == 1 and 0 < asked[0] <= BOUND - 5  # the slot, not the bound


def test_a_video_still_processing_past_the_bound_is_handed_on_with_its_media(standin, account, sleeps,  # noqa: F811
                                                                           monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    standin.set_media_processing_seconds(HOUR)
    pin = video_pin(account)

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert sum(sleeps) <= BOUND and len(sleeps) >= 2  # it polled, within the bound
    assert_handed_off(result, pin, expected_at=result.expected_at)
    assert result.expected_at is not None and "still processing" in result.error
    stored = reload(pin)
    assert stored.media_id and stored.media_state == MediaState.UPLOADED and create_calls(standin) == 0

    with standin.lock:
        standin.media_map[stored.media_id].processing_seconds = 0
    dispatch()

    stored = reload(pin)
    assert stored.status == PinStatus.PUBLISHED and standin.created_count() == 1
    assert standin.media(stored.media_id).upload_count == 1
    assert batch_summary(batch=PublishBatch.objects.get(pk=result.batch_id))["published"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publish_nows_and_dispatchers_racing_over_handed_off_pins_create_each_once(standin, sleeps, monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    pins = standin_pins(standin, count=5)
    PinterestConnection.objects.filter(pk=pins[0].project.pinterest_connection_id).update(
        next_publish_at=timezone.now() + timedelta(seconds=HOUR)
    )

    def publish_all():
        return [pin_publish(pin_id=pin.pk, trigger="manual") for pin in pins]

    handed = in_threads([publish_all] * 4)
    assert all(result.batch_id is not None for results in handed for result in results)
    assert not Pin.objects.filter(status=PinStatus.PUBLISHING).exists() and create_calls(standin) == 0

    an_hour_later(pins[0])
    raced = in_threads([dispatch] * 3 + [publish_all] * 3)

    assert not [r for r in raced if isinstance(r, Exception) and not isinstance(r, PinNotPublishable)]
    assert standin.created_count() == 5 and create_calls(standin) == 5
    assert Pin.objects.filter(pk__in=[pin.pk for pin in pins], status=PinStatus.PUBLISHED).count() == 5
    for batch in PublishBatch.objects.all():
        summary = batch_summary(batch=batch)
        assert (summary["pending"], summary["failed"]) == (0, 0) and summary["finished_at"] is not None
    assert sleeps == []
