"""Exactly once where content repeats: siblings of one article (same board, link, title,
description, alt text; only the image differs) under every lost-answer fault, through every
path, proved from the stand-in's side of the wire."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf

from pinterest.client import PinterestClient
from publishing import engine
from publishing.engine import (
    batch_summary,
    outcome,
    pin_publish,
    pin_reconcile,
    pins_publish_bulk,
    pins_publish_due,
)
from publishing.models import Pin, PinStatus, PublishAttempt, PublishBatch, PublishBatchItem
from tests.factories import make_article, make_pin, make_project
from tests.publishing.helpers import create_calls, remote_copy, standin_account

pytestmark = pytest.mark.django_db

SAME = {"title": "Lemon pasta in 10 minutes", "description": "Weeknight dinner", "alt_text": "A bowl of pasta"}
EMPTY = {"title": "", "description": "", "alt_text": ""}
FAULTS = ["503", "drop_after_create", "503_after_create", "hang_after_create"]
CREATES = {"503": False, "drop_after_create": True, "503_after_create": True, "hang_after_create": True}


@pytest.fixture
def quick_hangs(standin, settings):
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.4
    standin.set_hang_seconds(0.8)


def siblings(standin, count=4, scheduled=False, **content):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)
    when = timezone.now() - timedelta(minutes=1) if scheduled else None
    return [
        make_pin(project=project, board=board, article=article, scheduled_at=when, **(content or SAME))
        for _ in range(count)
    ]


def reload(pins):
    return [Pin.objects.get(pk=pin.pk) for pin in pins]


def assert_exactly_once(standin, pins):
    """Every pin on Pinterest belongs to exactly one row, and every published row to a real pin."""
    pins = reload(pins)
    published = [pin.pinterest_pin_id for pin in pins if pin.status == PinStatus.PUBLISHED]
    on_pinterest = [remote["id"] for remote in standin.pins(pins[0].board.pinterest_board_id)]
    assert len(published) == len(set(published)), f"rows share a Pinterest id: {published}"
    assert sorted(published) == sorted(on_pinterest)
    # And each row holds the pin made from its own body (siblings differ by image only).
    made_from = {creation.pin_id: creation.body_hash for creation in standin.creations}
    for pin in pins:
        if pin.status == PinStatus.PUBLISHED and pin.pinterest_pin_id in made_from:
            assert made_from[pin.pinterest_pin_id] == standin.body_hash(engine.pin_build_payload(pin=pin)), (
                f"pin {pin.pk} holds a Pinterest pin made from another pin's body"
            )
    for pin in pins:
        if pin.status != PinStatus.PUBLISHED:
            assert pin.status == PinStatus.ERROR and pin.pinterest_pin_id == ""
    return pins


def expected_statuses(fault, faulty):
    after = PinStatus.PUBLISHED if CREATES[fault] else PinStatus.ERROR
    return [PinStatus.PUBLISHED] + [after] * faulty


def test_a_lost_answer_without_a_create_does_not_adopt_the_published_siblings_pin(standin):
    first, second = siblings(standin, count=2)
    assert pin_publish(pin_id=first.pk).success
    standin.fail_next_creates("503")
    result = pin_publish(pin_id=second.pk)
    first, second = assert_exactly_once(standin, [first, second])
    assert not result.success and second.status == PinStatus.ERROR
    assert second.error_message.startswith("Pinterest did not create the pin")
    assert first.pinterest_pin_id == standin.creations[0].pin_id


def test_siblings_with_empty_titles_do_not_match_each_other(standin):
    first, second = siblings(standin, count=2, **EMPTY)
    assert pin_publish(pin_id=first.pk).success
    standin.fail_next_creates("503")
    assert not pin_publish(pin_id=second.pk).success
    assert_exactly_once(standin, [first, second])


@pytest.mark.parametrize("fault", FAULTS)
def test_four_siblings_published_now_under_each_fault(standin, quick_hangs, fault):
    pins = siblings(standin)
    assert pin_publish(pin_id=pins[0].pk).success
    standin.fail_next_creates(fault, count=3)
    for pin in pins[1:]:
        pin_publish(pin_id=pin.pk)
    pins = assert_exactly_once(standin, pins)
    assert [pin.status for pin in pins] == expected_statuses(fault, 3)
    assert create_calls(standin) == 4


@pytest.mark.parametrize("fault", FAULTS)
def test_four_siblings_in_a_bulk_batch_under_each_fault(standin, quick_hangs, fault, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", True)
    pins = siblings(standin)
    assert pin_publish(pin_id=pins[0].pk).success
    standin.fail_next_creates(fault, count=3)
    with django_capture_on_commit_callbacks(execute=True):
        batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[pin.pk for pin in pins])
    pins = assert_exactly_once(standin, pins)
    assert [pin.status for pin in pins] == expected_statuses(fault, 3)
    summary = batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))
    # The first sibling was published before the batch: skipped, nothing sent for it again.
    assert summary["skipped"] == 1
    assert summary["published"] == sum(pin.status == PinStatus.PUBLISHED for pin in pins[1:])
    assert summary["pending"] == 0


@pytest.mark.parametrize("fault", FAULTS)
def test_four_siblings_in_the_sweep_under_each_fault(standin, quick_hangs, fault):
    pins = siblings(standin, scheduled=True)
    assert pin_publish(pin_id=pins[0].pk).success
    standin.fail_next_creates(fault, count=3)
    report = pins_publish_due()
    pins = assert_exactly_once(standin, pins)
    assert [pin.status for pin in pins] == expected_statuses(fault, 3)
    assert report["total"] == 3 and report["published"] == (3 if CREATES[fault] else 0)


def test_a_pin_created_before_this_create_was_sent_is_not_this_pins(standin, settings):
    """Only pins created after the send (less the skew) are candidates."""
    settings.PUBLISH_RECONCILE_SKEW_SECONDS = 60
    (pin,) = siblings(standin, count=1)
    old = remote_copy(standin, pin)
    old["created_at"] = (timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    standin.fail_next_creates("503")
    assert not pin_publish(pin_id=pin.pk).success
    assert reload([pin])[0].status == PinStatus.ERROR


@pytest.mark.parametrize("field", ["description", "alt_text", "link"])
def test_the_look_compares_everything_that_was_sent(standin, field):
    (pin,) = siblings(standin, count=1)
    remote_copy(standin, pin, **{field: "https://other.example.com/x" if field == "link" else "something else"})
    standin.fail_next_creates("503")
    assert not pin_publish(pin_id=pin.pk).success
    assert reload([pin])[0].status == PinStatus.ERROR


def stuck_twins(standin, count=2):
    """Twins whose creates both went through and whose answers were both lost (workers died)."""
    pins = siblings(standin, count=count, scheduled=True)
    claimed = timezone.now() - timedelta(seconds=700)
    for pin in pins:
        Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING, publishing_started_at=claimed,
                                            claimed_at=claimed)
        PublishAttempt.objects.create(pin=pin, trigger="sweep", started_at=claimed, outcome="pending")
        remote_copy(standin, pin)
    return pins


def test_recovered_twins_each_take_a_different_pinterest_pin(standin):
    pins = stuck_twins(standin, count=3)
    for pin in pins:
        assert pin_reconcile(pin_id=pin.pk).success
    pins = assert_exactly_once(standin, pins)
    assert create_calls(standin) == 0


def test_recovering_twins_is_deterministic(standin):
    pins = stuck_twins(standin)
    for pin in pins:
        pin_reconcile(pin_id=pin.pk)
    first = [pin.pinterest_pin_id for pin in reload(pins)]
    # The same board and the same claims give the same assignment.
    Pin.objects.filter(pk__in=[pin.pk for pin in pins]).update(
        status=PinStatus.PUBLISHING, pinterest_pin_id="", pinterest_pin_url="",
        publishing_started_at=timezone.now() - timedelta(seconds=700),
    )
    for pin in pins:
        pin_reconcile(pin_id=pin.pk)
    assert [pin.pinterest_pin_id for pin in reload(pins)] == first


def test_the_database_refuses_two_pins_with_one_pinterest_id(standin):
    from django.db import IntegrityError, transaction

    first, second = siblings(standin, count=2)
    Pin.objects.filter(pk=first.pk).update(pinterest_pin_id="123")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pin.objects.filter(pk=second.pk).update(pinterest_pin_id="123")
    Pin.objects.filter(pk__in=[first.pk, second.pk]).update(pinterest_pin_id="")  # empty is not an id


# --- a definite answer beats a guess ---------------------------------------------------------


def test_a_late_201_publishes_a_pin_a_takeover_already_called_failed(standin, monkeypatch):
    """The lease ran out while the create was in flight: the sweep looked too early and wrote
    error; Pinterest's 201 then arrives and decides, the batch is corrected, a retry is refused."""
    (pin,) = siblings(standin, count=1)
    batch = PublishBatch.objects.create(tenant=pin.project.tenant, total=1)
    PublishBatchItem.objects.create(batch=batch, pin=pin)
    real_create = PinterestClient.create_pin

    def takeover_then_create(client, payload):
        Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() - timedelta(hours=1))
        assert pin_reconcile(pin_id=pin.pk).status == PinStatus.ERROR  # looked before the pin existed
        assert batch_summary(batch=batch)["failed"] == 1
        return real_create(client, payload)

    monkeypatch.setattr(PinterestClient, "create_pin", takeover_then_create)
    result = pin_publish(pin_id=pin.pk)
    (pin,) = reload([pin])
    assert result.success and pin.status == PinStatus.PUBLISHED
    assert pin.pinterest_pin_id == standin.creations[0].pin_id and pin.error_message == ""
    assert batch_summary(batch=batch)["published"] == 1 and batch_summary(batch=batch)["failed"] == 0
    assert list(pin.attempts.order_by("started_at").values_list("kind", "outcome")) == [
        ("create", "success"), ("look", "not_found"),
    ]
    with pytest.raises(engine.PinNotPublishable):
        pin_publish(pin_id=pin.pk)
    assert standin.created_count() == 1


def test_a_201_takes_its_id_back_from_a_sibling_that_guessed_it(standin, monkeypatch):
    guesser, owner = siblings(standin, count=2)
    real_create = PinterestClient.create_pin

    def a_sibling_adopts_it_meanwhile(client, payload):
        created = real_create(client, payload)
        Pin.objects.filter(pk=guesser.pk).update(
            status=PinStatus.PUBLISHED, pinterest_pin_id=created["id"], published_at=timezone.now()
        )
        return created

    monkeypatch.setattr(PinterestClient, "create_pin", a_sibling_adopts_it_meanwhile)
    assert pin_publish(pin_id=owner.pk).success
    guesser, owner = reload([guesser, owner])
    assert owner.pinterest_pin_id == standin.creations[0].pin_id
    assert guesser.status == PinStatus.ERROR and guesser.pinterest_pin_id == ""
    assert "Look at the board" in guesser.error_message


def test_a_201_recorded_by_a_worker_that_died_before_finishing_is_applied_by_recovery(standin, monkeypatch):
    (pin,) = siblings(standin, count=1, scheduled=True)

    def die(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(outcome, "record_created", die)
    result = pin_publish(pin_id=pin.pk)
    assert result.status == PinStatus.PUBLISHING  # sent: left for the look, not called failed
    monkeypatch.undo()
    Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() - timedelta(seconds=700))
    pins_publish_due()
    (pin,) = assert_exactly_once(standin, [pin])
    assert pin.status == PinStatus.PUBLISHED and create_calls(standin) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("twins", [2, 4])
def test_twins_recovered_at_once_each_take_a_different_pinterest_pin(standin, twins):
    from tests.publishing.helpers import in_threads

    pins = stuck_twins(standin, count=twins)
    results = in_threads([lambda pin=pin: pin_reconcile(pin_id=pin.pk) for pin in pins])
    assert all(getattr(result, "success", False) for result in results), results
    assert_exactly_once(standin, pins)
    assert create_calls(standin) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_over_siblings_with_lost_answers_publish_each_exactly_once(standin, quick_hangs):
    from tests.publishing.helpers import in_threads

    pins = siblings(standin, count=6, scheduled=True)
    standin.fail_next_creates("drop_after_create", count=2)
    standin.fail_next_creates("503", count=1)
    standin.fail_next_creates("503_after_create", count=2)
    in_threads([pins_publish_due, pins_publish_due])
    # Two sweeps may work one account at once (no pacing here): a look that finds an earlier
    # twin still unresolved waits, and recovery after the lease decides in send order.
    Pin.objects.filter(pk__in=[p.pk for p in pins], status=PinStatus.PUBLISHING).update(
        publishing_started_at=timezone.now() - timedelta(seconds=700)
    )
    pins_publish_due()
    pins = assert_exactly_once(standin, pins)
    assert sum(pin.status == PinStatus.PUBLISHED for pin in pins) == 5


# --- an earlier twin decides first; a late answer and a failing refresh are no verdict -------


def test_a_sibling_whose_create_made_nothing_waits_for_an_earlier_twin_still_unresolved(standin):
    """A's create went through but its answer and its look were lost; B's create made nothing.
    B must not take A's pin: it waits, A takes its own on recovery, then B is not found."""
    a, b = siblings(standin, count=2, scheduled=True)
    Pin.objects.filter(pk=a.pk).update(scheduled_at=timezone.now() - timedelta(minutes=10))
    standin.fail_next_creates("503_after_create")
    standin.fail_next("503", endpoint="list_board_pins")
    standin.fail_next_creates("503")
    pins_publish_due()
    assert [p.status for p in reload([a, b])] == [PinStatus.PUBLISHING, PinStatus.PUBLISHING]
    Pin.objects.filter(pk__in=[a.pk, b.pk]).update(publishing_started_at=timezone.now() - timedelta(seconds=700))
    pins_publish_due()  # recovery takes the earliest claim first
    a, b = assert_exactly_once(standin, [a, b])
    assert a.status == PinStatus.PUBLISHED and a.pinterest_pin_id == standin.creations[0].pin_id
    assert b.status == PinStatus.ERROR
    assert len(standin.creations) == 1


def test_a_late_201_takes_its_id_back_even_after_a_takeover_called_the_pin_failed(standin, monkeypatch):
    owner, guesser = siblings(standin, count=2)
    real_create = PinterestClient.create_pin

    def create_slowly(client, payload):
        created = real_create(client, payload)
        # Meanwhile a sibling's look took the new pin, and a sweep took the owner's lease over,
        # found the pin owned elsewhere and called the owner failed; then the 201 arrives.
        Pin.objects.filter(pk=guesser.pk).update(
            status=PinStatus.PUBLISHED, pinterest_pin_id=created["id"], published_at=timezone.now()
        )
        Pin.objects.filter(pk=owner.pk).update(publishing_started_at=timezone.now() - timedelta(hours=1))
        assert pin_reconcile(pin_id=owner.pk).status == PinStatus.ERROR
        return created

    monkeypatch.setattr(PinterestClient, "create_pin", create_slowly)
    assert pin_publish(pin_id=owner.pk).success
    owner, guesser = reload([owner, guesser])
    assert owner.status == PinStatus.PUBLISHED and owner.pinterest_pin_id == standin.creations[0].pin_id
    assert guesser.status == PinStatus.ERROR and guesser.pinterest_pin_id == ""


def test_recovery_while_the_token_refresh_fails_for_now_looks_again_later_instead_of_failing(standin):
    (pin,) = stuck_twins(standin, count=1)
    connection = pin.project.pinterest_connection
    type(connection).objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    standin.fail_next("503", endpoint="token")
    result = pin_reconcile(pin_id=pin.pk)
    assert result.status == PinStatus.PUBLISHING and reload([pin])[0].status == PinStatus.PUBLISHING

