"""pin_publish against the Pinterest stand-in: every outcome, and never a duplicate."""

import time

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from pinterest.models import PinterestConnection
from publishing import engine
from publishing.engine import PinNotPublishable, PinValidationError, lease, pin_publish
from publishing.engine.reconcile import look
from publishing.models import Pin, PinStatus, PublishAttempt
from tests.factories import make_article, make_board, make_pin, make_project
from tests.publishing.helpers import create_calls, standin_account, standin_pins

pytestmark = pytest.mark.django_db


def reload(pin):
    return Pin.objects.get(pk=pin.pk)


def test_publish_success_stores_pinterest_id_url_and_time(standin):
    (pin,) = standin_pins(standin, status=PinStatus.ERROR, error_message="old failure")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert result.success and pin.status == PinStatus.PUBLISHED
    assert pin.pinterest_pin_id == result.pinterest_pin_id and pin.pinterest_pin_id.isdigit()
    assert pin.pinterest_pin_url == f"https://www.pinterest.com/pin/{pin.pinterest_pin_id}/"
    assert pin.published_at is not None and pin.error_message == ""
    attempt = pin.attempts.get()
    assert (attempt.outcome, attempt.http_status, attempt.trigger) == ("success", 201, "manual")
    assert attempt.pinterest_request_id and attempt.finished_at
    assert standin.created_count(pin.board.pinterest_board_id) == 1


def test_publish_sends_title_description_alt_text_and_article_link(standin):
    (pin,) = standin_pins(standin, title="T" * 150)
    expected = engine.pin_build_payload(pin=pin)
    pin_publish(pin_id=pin.pk, trigger="manual")
    (remote,) = standin.pins(pin.board.pinterest_board_id)
    assert remote["title"] == "T" * 100
    assert remote["link"] == pin.article.url
    assert remote["alt_text"] == pin.alt_text
    assert expected["media_source"]["source_type"] == "image_base64"
    assert standin.created_count(body=expected) == 1


@pytest.mark.parametrize(
    "kind, message",
    [("400", ""), ("403", "mage"), ("404", "Board not found.")],
)
def test_definite_refusal_sets_error_with_pinterests_message(standin, kind, message):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates(kind)
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert not result.success and pin.status == PinStatus.ERROR
    assert message in pin.error_message and pin.error_message == result.error
    assert pin.attempts.get().outcome == "failed"
    assert standin.created_count() == 0


def test_publish_marks_connection_inactive_on_401_and_leaves_other_connections_alone(standin):
    (pin,) = standin_pins(standin)
    other_connection, _ = standin_account(standin)
    standin.fail_next_creates("401")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    assert not result.success and reload(pin).status == PinStatus.ERROR
    connection = PinterestConnection.objects.get(pk=pin.project.pinterest_connection_id)
    assert not connection.is_active and "rejected the access token" in connection.last_error
    assert PinterestConnection.objects.get(pk=other_connection.pk).is_active


def test_429_with_retry_after_waits_then_succeeds(standin):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("429", retry_after=2)
    started = time.monotonic()
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    assert time.monotonic() - started >= 2
    assert result.success
    outcomes = list(reload(pin).attempts.order_by("started_at").values_list("outcome", flat=True))
    assert outcomes == ["rate_limited", "success"]


def test_four_429s_end_in_error_rate_limited(standin):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("429", count=4)
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert not result.success and result.rate_limited
    assert pin.status == PinStatus.ERROR and pin.error_message.startswith("Rate limited by Pinterest")
    assert pin.attempts.count() == 4
    assert standin.created_count() == 0


def test_created_then_connection_dropped_ends_published_with_exactly_one_pin(standin):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("drop_after_create")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert result.success and pin.status == PinStatus.PUBLISHED
    assert standin.created_count() == 1
    assert pin.pinterest_pin_id == standin.creations[-1].pin_id
    assert list(pin.attempts.order_by("started_at").values_list("outcome", flat=True)) == ["unknown", "found"]


def test_503_without_a_create_ends_error_after_looking_and_never_posts_again(standin):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("503")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert not result.success and pin.status == PinStatus.ERROR
    assert pin.error_message.startswith("Pinterest did not create the pin")
    assert standin.created_count() == 0
    assert create_calls(standin) == 1
    assert list(pin.attempts.order_by("started_at").values_list("outcome", flat=True)) == [
        "unknown", "not_found",
    ]


def test_hang_past_timeout_is_resolved_by_looking(standin):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("hang")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    assert reload(pin).status == (PinStatus.PUBLISHED if standin.created_count() else PinStatus.ERROR)
    assert standin.created_count() <= 1 and result.status in (PinStatus.PUBLISHED, PinStatus.ERROR)


def test_when_the_look_fails_the_pin_stays_publishing_for_the_sweep(standin, monkeypatch):
    (pin,) = standin_pins(standin)
    standin.fail_next_creates("503")
    from pinterest.client import PinterestClient
    from pinterest.errors import PinterestUnavailable

    def broken_look(self, *args, **kwargs):
        raise PinterestUnavailable("still down", status_code=503)

    monkeypatch.setattr(PinterestClient, "iter_board_pins", broken_look)
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin = reload(pin)
    assert result.status == PinStatus.PUBLISHING and pin.status == PinStatus.PUBLISHING
    assert pin.publishing_started_at is not None
    assert create_calls(standin) == 1


@pytest.mark.parametrize(
    "setup, message",
    [
        ("no_board", engine.MSG_NO_BOARD),
        ("no_connection", engine.MSG_NO_CONNECTION),
        ("no_image", engine.MSG_NO_IMAGE),
        ("inactive", "inactive"),
        ("archived", "archived"),
    ],
)
def test_validation_failures_change_nothing_and_call_nothing(standin, setup, message):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    fields = {"project": project, "board": board, "status": PinStatus.DRAFT}
    if setup == "no_board":
        fields["board"] = None
    elif setup == "no_connection":
        project.pinterest_connection = None
        project.save()
    elif setup == "no_image":
        fields["with_image"] = False
    elif setup == "inactive":
        PinterestConnection.objects.filter(pk=connection.pk).update(is_active=False)
    elif setup == "archived":
        board.is_archived = True
        board.save()
    pin = make_pin(**fields)
    with pytest.raises(PinValidationError, match=message):
        pin_publish(pin_id=pin.pk, trigger="manual")
    assert reload(pin).status == PinStatus.DRAFT
    assert not PublishAttempt.objects.exists()
    assert create_calls(standin) == 0


def test_validation_order_board_first_then_connection_then_image():
    project = make_project()
    pin = make_pin(project=project, board=None, with_image=False)
    with pytest.raises(PinValidationError, match=engine.MSG_NO_BOARD):
        pin_publish(pin_id=pin.pk)
    pin.board = make_board()
    pin.save()
    with pytest.raises(PinValidationError, match=engine.MSG_NO_CONNECTION):
        pin_publish(pin_id=pin.pk)


@pytest.mark.parametrize("status", [PinStatus.PUBLISHING, PinStatus.PUBLISHED])
def test_a_pin_already_publishing_or_published_is_refused_without_a_call(standin, status):
    (pin,) = standin_pins(standin, status=status)
    with pytest.raises(PinNotPublishable, match="already"):
        pin_publish(pin_id=pin.pk, trigger="manual")
    assert create_calls(standin) == 0 and reload(pin).status == status


def test_image_url_is_sent_as_image_url(standin):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    pin = make_pin(project=project, board=board, with_image=False, image_url="https://cdn.example.com/a.png")
    expected = engine.pin_build_payload(pin=pin)
    assert expected["media_source"] == {"source_type": "image_url", "url": "https://cdn.example.com/a.png"}
    assert pin_publish(pin_id=pin.pk).success
    assert standin.created_count(body=expected) == 1


def test_public_media_base_url_sends_uploaded_images_by_url(standin, settings):
    settings.PUBLIC_MEDIA_BASE_URL = "https://media.example.com"
    (pin,) = standin_pins(standin)
    expected = engine.pin_build_payload(pin=pin)
    assert expected["media_source"] == {
        "source_type": "image_url", "url": f"https://media.example.com/{pin.image.name}"
    }
    assert pin_publish(pin_id=pin.pk).success
    assert standin.created_count(body=expected) == 1


def test_publishing_costs_a_constant_number_of_queries_per_pin(standin, settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0.001  # pacing on: its queries count too
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)

    def queries_for(n):
        pins = [make_pin(project=project, board=board, article=article) for _ in range(n)]
        with CaptureQueriesContext(db_connection) as ctx:
            for pin in pins:
                assert pin_publish(pin_id=pin.pk).success
        # Transaction control (savepoints inside the test's transaction) is not a query.
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))

    one, five = queries_for(1), queries_for(5)
    # 13: read, the audit event of the person's request (issue 29), claim, reread, slot (lock +
    # move), lease renewal, attempt, pacing from the real departure, attempt result, decision,
    # batch items, and the webhooks outbox asking which endpoints want the event
    # (publishing.signals; nothing is written without one).
    assert one <= 13, f"{one} queries to publish one pin"
    assert five == 5 * one


def test_a_publisher_whose_lease_was_taken_over_while_it_waited_does_not_post(standin, monkeypatch):
    """A 429 wait outlasts the lease; a sweep takes the pin over; the publisher must not post."""
    from datetime import timedelta

    from django.utils import timezone

    (pin,) = standin_pins(standin)
    standin.fail_next_creates("429", retry_after=0)

    def a_sweep_takes_over_during_the_wait(*, connection_id, until):
        Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() + timedelta(seconds=1))

    monkeypatch.setattr("publishing.engine.create.connection_defer_publishing", a_sweep_takes_over_during_the_wait)
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    assert create_calls(standin) == 1  # only the refused first call
    assert standin.created_count() == 0
    assert not result.success and result.status == PinStatus.PUBLISHING


def test_the_look_matches_pins_whose_created_at_has_no_offset():
    """Pinterest documents some timestamps without an offset; they are UTC."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(minutes=1)
    payload = {"board_id": "123", "title": "T", "link": "https://blog.example.com/a"}
    naive = (timezone.now()).strftime("%Y-%m-%dT%H:%M:%S")
    old = (since - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")

    class Board:
        def iter_board_pins(self, board_id, **kwargs):
            yield {"id": "1", "board_id": "123", "title": "other", "link": payload["link"], "created_at": naive}
            yield {"id": "2", "board_id": "123", "title": "T", "link": payload["link"], "created_at": naive}
            yield {"id": "3", "board_id": "123", "title": "T", "link": payload["link"], "created_at": old}

    assert look(payload=payload, sent_at=since, client=Board()) == ["2"]
    assert look(payload={**payload, "title": "none"}, sent_at=since, client=Board()) == []


def test_publish_sends_the_pin_as_claimed_not_as_first_read(standin, monkeypatch):
    """An edit committed between the read and the claim is what reaches Pinterest."""
    (pin,) = standin_pins(standin)
    original_claim = lease.claim

    def edit_then_claim(**kwargs):
        Pin.objects.filter(pk=pin.pk).update(title="Edited just in time")
        return original_claim(**kwargs)

    monkeypatch.setattr(lease, "claim", edit_then_claim)
    assert pin_publish(pin_id=pin.pk).success
    (remote,) = standin.pins(pin.board.pinterest_board_id)
    assert remote["title"] == "Edited just in time"


def test_a_board_pin_that_does_not_say_when_it_was_created_ranks_after_those_that_do():
    from datetime import timedelta

    from django.utils import timezone

    sent = timezone.now()
    payload = {"board_id": "123", "title": "T", "link": "https://blog.example.com/a"}
    stamp = (sent + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")

    class Board:
        def iter_board_pins(self, board_id, **kwargs):
            yield {"id": "1", "board_id": "123", "title": "T", "link": payload["link"]}
            yield {"id": "2", "board_id": "123", "title": "T", "link": payload["link"], "created_at": stamp}

    assert look(payload=payload, sent_at=sent, client=Board()) == ["2", "1"]

