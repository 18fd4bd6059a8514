"""Publishing through a connection's trouble: a just-in-time token refresh that fails for a
passing reason puts the pins back on the schedule (never ``error``) and the sweep says which
connection it skipped and why; a definite refusal fails them with the reason; a 429 that says
spam stops the account for a cool-down, puts its pins back and is never retried in a loop.
The refreshers themselves are in tests/pinterest/services/test_refresh_failures.py.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_q.conf import Conf

from pinterest.client import PinterestClient
from pinterest.errors import PinterestBadRequest
from pinterest.models import Health, PinterestConnection
from pinterest.services.refresh import connections_refresh_expiring, connections_refresh_retry_due
from publishing.engine import PinValidationError, batch_summary, pin_publish, pins_publish_bulk, pins_publish_due
from publishing.models import Pin, PinStatus, PublishBatch
from tests.factories import client_config
from tests.pinterest.helpers import reload, token_calls
from tests.publishing.helpers import create_calls, standin_account, standin_pins

pytestmark = pytest.mark.django_db

PAST = timedelta(minutes=5)
SPAM_DETAIL = "Your account has been flagged for spam. Please try again later."
SPAM_COOLDOWN = timedelta(hours=24)


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001
    settings.PUBLISH_RATE_LIMIT_RETRIES = 3


def due_pins(standin, count=1, connection=None, board=None, **fields):
    return standin_pins(
        standin, count=count, connection=connection, board=board, scheduled_at=timezone.now() - PAST, **fields
    )


def token_expires_in(connection, delta):
    PinterestConnection.objects.filter(pk=connection.pk).update(access_token_expires_at=timezone.now() + delta)


def expired(standin, connection):
    """The access token has run out, on the stand-in and in our records."""
    standin.expire_access_token(connection.access_token)
    token_expires_in(connection, -timedelta(minutes=1))




def statuses(pins):
    return [Pin.objects.get(pk=pin.pk).status for pin in pins]




def fail_token_endpoint(kind, standin, settings, count=1):
    if kind == "hang":
        settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.2
        standin.set_hang_seconds(0.4)
    standin.fail_next(kind, count, endpoint="token")


def assert_refresh_failing(connection, *, since):
    assert connection.is_active
    assert connection.refresh_failing_since >= since and connection.refresh_failures >= 1
    assert connection.last_error.startswith("Token refresh failing: ") and connection.last_error_at >= since
    assert connection.next_refresh_at > since


def spam_429(standin, **message):
    standin.fail_next_creates("429", **(message or {"message_detail": SPAM_DETAIL}))


# --- the just-in-time refresh of a publish ------------------------------------------------------


@pytest.mark.parametrize("kind", ["503", "500", "drop", "hang", "429"])
def test_a_publish_whose_expired_token_cannot_be_refreshed_yet_puts_the_pin_back_on_the_schedule(
    standin, settings, kind
):
    (pin,) = due_pins(standin)
    connection = pin.project.pinterest_connection
    expired(standin, connection)
    fail_token_endpoint(kind, standin, settings)
    before = timezone.now()

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    pin.refresh_from_db()
    assert not result.success and pin.status == PinStatus.READY_TO_SCHEDULE and pin.error_message == ""
    assert "could not refresh it yet" in result.error
    assert create_calls(standin) == 0 and token_calls(standin) == 1
    assert_refresh_failing(reload(connection), since=before)


def test_a_publish_whose_refresh_fails_transiently_while_the_token_still_works_publishes_with_it(standin):
    (pin,) = due_pins(standin)
    connection = pin.project.pinterest_connection
    token_expires_in(connection, timedelta(minutes=5))
    standin.fail_next("503", endpoint="token")
    before = timezone.now()

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    assert result.success and Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHED
    (creation,) = standin.creations
    assert creation.token_id == standin.token_id(connection.access_token)
    assert_refresh_failing(reload(connection), since=before)


@pytest.mark.parametrize("kind", ["401", "403"])
def test_a_publish_whose_refresh_is_refused_fails_the_pin_and_deactivates_the_connection(standin, kind):
    (pin,) = due_pins(standin)
    connection = pin.project.pinterest_connection
    token_expires_in(connection, timedelta(minutes=5))
    standin.fail_next(kind, endpoint="token", message="The app no longer has access.")

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    pin.refresh_from_db()
    assert not result.success and pin.status == PinStatus.ERROR
    assert "Token refresh failed: The app no longer has access" in pin.error_message
    connection = reload(connection)
    assert not connection.is_active and connection.health()[0] == Health.NEEDS_RECONNECT
    assert create_calls(standin) == 0


# --- the sweep ----------------------------------------------------------------------------------


def test_the_sweep_skips_a_connection_whose_expired_token_cannot_be_refreshed_yet_and_says_why(standin):
    waiting = due_pins(standin, count=2)
    connection = waiting[0].project.pinterest_connection
    expired(standin, connection)
    (other,) = due_pins(standin)
    standin.fail_next("503", endpoint="token")

    report = pins_publish_due()

    assert statuses(waiting) == [PinStatus.READY_TO_SCHEDULE] * 2
    assert statuses([other]) == [PinStatus.PUBLISHED]
    assert (report["published"], report["failed"], report["released"]) == (1, 0, 0)
    (skipped,) = report["skipped_connections"]
    assert skipped["connection"] == str(connection) and skipped["connection_id"] == connection.pk
    assert "could not refresh it yet" in skipped["reason"]
    assert reload(connection).last_error in skipped["reason"]
    assert reload(connection).is_active
    assert standin.created_count() == 1


def test_pins_that_waited_for_a_failing_refresh_publish_once_the_retry_job_succeeds(standin):
    pins = due_pins(standin, count=2)
    connection = pins[0].project.pinterest_connection
    expired(standin, connection)
    standin.fail_next("503", endpoint="token")
    pins_publish_due()
    PinterestConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())

    assert connections_refresh_retry_due()["refreshed"] == 1
    report = pins_publish_due()

    assert (report["published"], report["skipped_connections"]) == (2, [])
    assert statuses(pins) == [PinStatus.PUBLISHED] * 2
    assert reload(connection).health()[0] == Health.OK


def test_the_sweep_leaves_the_due_pins_of_a_connection_pinterest_just_refused_waiting_and_names_it(standin):
    # Like every inactive account's pins, they wait with their reason and publish once a person
    # reconnects; the run that found out says so in its summary.
    pins = due_pins(standin, count=2)
    connection = pins[0].project.pinterest_connection
    token_expires_in(connection, timedelta(minutes=5))
    standin.revoke_tokens(connection.pinterest_user_id)

    report = pins_publish_due()

    assert report["failed"] == 0 and statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 2
    (skipped,) = report["skipped_connections"]
    assert skipped["connection_id"] == connection.pk and "Token refresh failed" in skipped["reason"]
    assert not reload(connection).is_active and create_calls(standin) == 0


def test_the_sweep_names_an_inactive_connection_that_holds_due_pins(standin):
    (pin,) = due_pins(standin)
    connection = pin.project.pinterest_connection
    PinterestConnection.objects.filter(pk=connection.pk).update(
        is_active=False, last_error="Token refresh failed: Invalid refresh token."
    )

    report = pins_publish_due()

    assert report["skipped_connections"] == [
        {"connection": str(connection), "connection_id": connection.pk,
         "reason": "Token refresh failed: Invalid refresh token."}
    ]
    assert statuses([pin]) == [PinStatus.READY_TO_SCHEDULE] and report["total"] == 0


# --- spam blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message", [{"message_detail": SPAM_DETAIL}, {"message": "Request blocked: suspected SPAM."}],
    ids=["message_detail", "message"],
)
def test_a_spam_429_blocks_the_account_for_the_cool_down_and_puts_the_pin_back(standin, tenant, tenant_api, message):
    connection, (board,) = standin_account(standin, tenant=tenant)
    (pin,) = due_pins(standin, connection=connection, board=board)
    spam_429(standin, **message)
    before = timezone.now()

    result = pin_publish(pin_id=pin.pk, trigger="manual")

    pin.refresh_from_db()
    assert not result.success and pin.status == PinStatus.READY_TO_SCHEDULE
    assert "suspected spam" in result.error
    assert create_calls(standin) == 1  # never retried, although plain 429s are
    connection = reload(connection)
    assert before <= connection.spam_blocked_at <= timezone.now()
    assert connection.spam_blocked_until - connection.spam_blocked_at == SPAM_COOLDOWN
    assert "spam" in connection.last_error.lower() and connection.last_error_at >= before
    body = tenant_api.get(f"/api/connections/{connection.pk}/").json()
    assert body["health"] == Health.SPAM_BLOCKED and body["spam_blocked_until"]
    assert f"{connection.spam_blocked_at:%Y-%m-%d %H:%M}" in body["health_detail"]


def test_the_spam_cool_down_follows_its_setting(standin, settings):
    settings.PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS = 2
    (pin,) = due_pins(standin)
    spam_429(standin)
    pin_publish(pin_id=pin.pk, trigger="manual")
    connection = reload(pin.project.pinterest_connection)
    assert connection.spam_blocked_until - connection.spam_blocked_at == timedelta(hours=2)


def test_a_plain_429_is_retried_and_blocks_nothing(standin):
    (pin,) = due_pins(standin)
    standin.fail_next_creates("429", retry_after=0)
    assert pin_publish(pin_id=pin.pk, trigger="manual").success
    connection = reload(pin.project.pinterest_connection)
    assert create_calls(standin) == 2 and connection.spam_blocked_until is None


def test_a_spam_block_in_the_sweep_puts_every_claimed_pin_back_and_stops_the_account(standin):
    pins = due_pins(standin, count=3)
    connection = pins[0].project.pinterest_connection
    spam_429(standin)

    first = pins_publish_due()

    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 3
    assert (first["published"], first["failed"], first["released"]) == (0, 0, 1)  # the others were never claimed
    assert create_calls(standin) == 1

    second = pins_publish_due()

    assert create_calls(standin) == 1  # no loop: the account waits for its cool-down
    (skipped,) = second["skipped_connections"]
    assert skipped["connection_id"] == connection.pk and "blocked this account for suspected spam" in skipped["reason"]
    with pytest.raises(PinValidationError, match="suspected spam"):
        pin_publish(pin_id=pins[0].pk, trigger="manual")
    assert create_calls(standin) == 1 and statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 3


def test_the_pins_publish_again_when_the_cool_down_is_over(standin, settings):
    settings.PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS = 0.5 / 3600  # half a second
    pins = due_pins(standin, count=2)
    spam_429(standin)
    pins_publish_due()
    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 2

    time.sleep(0.6)
    report = pins_publish_due()

    assert report["published"] == 2 and statuses(pins) == [PinStatus.PUBLISHED] * 2
    assert reload(pins[0].project.pinterest_connection).health()[0] != Health.SPAM_BLOCKED


# --- bulk publishing ----------------------------------------------------------------------------


@pytest.fixture
def run_tasks_inline(monkeypatch, django_capture_on_commit_callbacks):
    """Run django-q2 tasks in-process when their transaction commits."""
    monkeypatch.setattr(Conf, "SYNC", True)
    return django_capture_on_commit_callbacks


def test_a_bulk_publish_while_the_token_cannot_be_refreshed_puts_the_pins_back_and_tells_the_batch(
    standin, run_tasks_inline
):
    pins = due_pins(standin, count=2)
    expired(standin, pins[0].project.pinterest_connection)
    standin.fail_next("503", endpoint="token")

    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])

    summary = batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))
    assert (summary["failed"], summary["pending"]) == (2, 0)
    assert all("could not refresh it yet" in r["error"] for r in summary["results"])
    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 2 and create_calls(standin) == 0


def test_a_spam_block_in_a_bulk_publish_records_the_blocked_pin_on_its_batch(standin, run_tasks_inline):
    (pin,) = due_pins(standin)
    spam_429(standin)

    with run_tasks_inline(execute=True):
        batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk])

    assert statuses([pin]) == [PinStatus.READY_TO_SCHEDULE] and create_calls(standin) == 1
    summary = batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))
    assert (summary["failed"], summary["pending"]) == (1, 0), summary
    assert "suspected spam" in summary["results"][0]["error"]


def test_a_spam_block_in_a_bulk_publish_leaves_the_rest_of_the_batch_on_the_schedule(standin, run_tasks_inline):
    pins = due_pins(standin, count=3)
    spam_429(standin)

    with run_tasks_inline(execute=True):
        pins_publish_bulk(tenant=pins[0].project.tenant, pin_ids=[p.pk for p in pins])

    assert create_calls(standin) == 1
    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 3


# --- two refreshers at once (PostgreSQL: real row locks) ----------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_and_the_daily_refresh_at_once_spend_the_refresh_token_once(standin):
    pins = due_pins(standin, count=2)
    connection = pins[0].project.pinterest_connection
    token_expires_in(connection, timedelta(minutes=5))
    old_refresh = connection.refresh_token
    standin.set_latency(200)  # whoever refreshes first holds the row lock while Pinterest answers
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index, function):
        try:
            barrier.wait(timeout=5)
            results[index] = function()
        except Exception as exc:  # looked at below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, pins_publish_due)),
        threading.Thread(target=run, args=(1, lambda: connections_refresh_expiring(within=timedelta(days=7)))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    standin.set_latency(0)

    assert not any(isinstance(r, Exception) for r in results), results
    assert token_calls(standin) == 1
    assert results[0]["published"] == 2 and statuses(pins) == [PinStatus.PUBLISHED] * 2
    connection = reload(connection)
    assert {c.token_id for c in standin.creations} == {standin.token_id(connection.access_token)}
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)
