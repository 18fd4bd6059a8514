"""Keeping tokens alive: the daily refresh, refresh now, and the refresh just in time before
a publish, against the stand-in's rotating refresh tokens."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from pinterest.client import PinterestClient
from pinterest.errors import ConnectionUnusable, PinterestBadRequest
from pinterest.models import PinterestConnection
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens, connections_refresh_expiring
from pinterest.services.tokens import JUST_IN_TIME_REFRESH, connection_access_token
from pinterest.tasks import refresh_expiring_connections
from publishing.engine import pin_publish
from publishing.models import PinStatus
from tests.factories import client_config
from tests.pinterest.helpers import expiring, reload, token_calls
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)


@pytest.fixture(autouse=True)
def _tiny_backoff(settings):
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0








def test_refresh_stores_the_new_access_and_refresh_tokens_and_the_old_refresh_token_is_spent(standin):
    connection = expiring(standin, last_error="an old problem")
    old_access, old_refresh = connection.access_token, connection.refresh_token

    summary = connections_refresh_expiring(within=WEEK)

    assert (summary["total"], summary["refreshed"], summary["failed"]) == (1, 1, 0)
    assert summary["details"][0]["status"] == "refreshed"
    connection = reload(connection)
    assert connection.access_token not in ("", old_access) and connection.refresh_token not in ("", old_refresh)
    assert connection.access_token_expires_at > timezone.now() + timedelta(days=29)
    assert connection.refresh_token_expires_at > timezone.now() + timedelta(days=59)
    assert connection.last_refreshed_at is not None and connection.last_error == ""
    assert connection.is_active
    account = PinterestClient(client_config(), connection.access_token).get_user_account()
    assert account["id"] == connection.pinterest_user_id
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)


def test_a_refresh_token_expiring_soon_is_refreshed_too(standin):
    connection = expiring(standin, access_in=timedelta(days=20))
    PinterestConnection.objects.filter(pk=connection.pk).update(
        refresh_token_expires_at=timezone.now() + timedelta(days=3)
    )
    assert connections_refresh_expiring(within=WEEK)["refreshed"] == 1


def test_connections_not_expiring_inactive_or_with_unknown_expiry_are_left_alone(standin):
    expiring(standin, access_in=timedelta(days=20))
    expiring(standin, is_active=False, last_error="Disconnected")
    expiring(standin, access_token_expires_at=None, refresh_token_expires_at=None)  # unknown (a sandbox token)
    summary = connections_refresh_expiring(within=WEEK)
    assert summary["total"] == 0 and token_calls(standin) == 0


def test_pinterests_refusal_deactivates_the_connection_with_its_message(standin):
    connection = expiring(standin)
    standin.revoke_tokens(connection.pinterest_user_id)

    summary = connections_refresh_expiring(within=WEEK)

    connection = reload(connection)
    assert (summary["refreshed"], summary["failed"]) == (0, 1)
    assert not connection.is_active
    assert connection.last_error == "Token refresh failed: Invalid refresh token."
    assert summary["details"][0]["error"] == connection.last_error
    assert token_calls(standin) == 1  # a refusal is not retried


def test_a_401_from_the_token_endpoint_deactivates_too(standin):
    connection = expiring(standin)
    standin.fail_next("401", endpoint="token")
    outcome = connection_refresh_tokens(connection_id=connection.pk)
    assert outcome.status == RefreshOutcome.FAILED
    assert reload(connection).last_error == "Token refresh failed: Authentication failed."


def test_transient_failures_are_retried_with_backoff(standin, settings):
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.3
    connection = expiring(standin)
    standin.fail_next("503", endpoint="token")
    standin.fail_next("drop", endpoint="token")
    standin.fail_next("hang", endpoint="token", hang_seconds=1)
    sleeps = []

    outcome = connection_refresh_tokens(connection_id=connection.pk, within=WEEK, sleep=sleeps.append)

    assert outcome.status == RefreshOutcome.REFRESHED
    assert token_calls(standin) == 4
    assert sleeps == [0.001, 0.002, 0.004]
    assert reload(connection).is_active


def test_transient_failures_past_three_retries_keep_the_connection_active_and_retry_later(standin):
    connection = expiring(standin)
    standin.fail_next("503", 4, endpoint="token")
    before = timezone.now()
    summary = connections_refresh_expiring(within=WEEK)
    connection = reload(connection)
    assert (summary["failed"], summary["retrying"]) == (0, 1) and token_calls(standin) == 4
    assert connection.is_active and connection.refresh_failures == 1
    assert connection.refresh_failing_since >= before and connection.last_error_at >= before
    assert connection.last_error.startswith("Token refresh failing: Service unavailable.")
    assert before + timedelta(minutes=5) <= connection.next_refresh_at <= timezone.now() + timedelta(minutes=5)


def test_one_failure_never_stops_the_others(standin):
    failing, working = expiring(standin), expiring(standin)
    standin.revoke_tokens(failing.pinterest_user_id)
    summary = connections_refresh_expiring(within=WEEK)
    assert (summary["total"], summary["refreshed"], summary["failed"]) == (2, 1, 1)
    assert reload(working).last_refreshed_at is not None and not reload(failing).is_active


def test_a_connection_without_refresh_token_is_reported_and_left_unchanged(standin):
    connection = expiring(standin, refresh_token="")
    summary = connections_refresh_expiring(within=WEEK)
    assert summary["failed"] == 1 and "No refresh token" in summary["details"][0]["error"]
    assert reload(connection).is_active and token_calls(standin) == 0


def test_refresh_now_refreshes_a_connection_that_is_not_expiring(standin):
    connection = expiring(standin, access_in=timedelta(days=29))
    outcome = connection_refresh_tokens(connection_id=connection.pk)
    assert outcome.status == RefreshOutcome.REFRESHED and token_calls(standin) == 1


def test_refresh_now_skips_an_inactive_connection(standin):
    connection = expiring(standin, is_active=False, last_error="Disconnected in pinpublisher")
    outcome = connection_refresh_tokens(connection_id=connection.pk)
    assert outcome.status == RefreshOutcome.SKIPPED and "Reconnect" in outcome.error
    assert token_calls(standin) == 0


def test_the_daily_task_refreshes_within_the_configured_days(standin, settings):
    settings.TOKEN_REFRESH_WITHIN_DAYS = 3
    expiring(standin, access_in=timedelta(days=2))
    expiring(standin, access_in=timedelta(days=5))
    summary = refresh_expiring_connections()
    assert (summary["total"], summary["refreshed"]) == (1, 1)


def test_the_task_runs_twice_harmlessly(standin):
    expiring(standin)
    assert refresh_expiring_connections()["refreshed"] == 1
    assert refresh_expiring_connections()["total"] == 0
    assert token_calls(standin) == 1


# --- just in time ------------------------------------------------------------------------


def test_access_token_is_returned_without_refresh_when_it_is_not_expiring(standin):
    connection = expiring(standin, access_in=timedelta(minutes=11))
    assert connection_access_token(connection=connection) == reload(connection).access_token
    assert token_calls(standin) == 0


def test_access_token_expiring_within_ten_minutes_is_refreshed_first(standin):
    connection = expiring(standin, access_in=timedelta(minutes=9))
    old = connection.access_token
    token = connection_access_token(connection=connection)
    assert token != old and token == reload(connection).access_token == connection.access_token
    assert token_calls(standin) == 1


def test_publish_refreshes_a_token_that_expires_within_ten_minutes_first(standin):
    (pin,) = standin_pins(standin)
    connection = pin.project.pinterest_connection
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=5)
    )
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    connection = reload(connection)
    assert result.success
    assert connection.last_refreshed_at is not None
    assert connection.access_token_expires_at > timezone.now() + timedelta(days=29)
    (creation,) = standin.creations
    assert creation.token_id == standin.token_id(connection.access_token)


def test_publish_with_an_expired_token_refreshes_and_publishes(standin):
    (pin,) = standin_pins(standin)
    connection = pin.project.pinterest_connection
    standin.expire_access_token(connection.access_token)
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert pin_publish(pin_id=pin.pk, trigger="manual").success


def test_publish_whose_refresh_is_refused_fails_with_the_reason_and_creates_nothing(standin):
    (pin,) = standin_pins(standin)
    connection = pin.project.pinterest_connection
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=5)
    )
    standin.fail_next("400", endpoint="token", message="Invalid refresh token.")
    result = pin_publish(pin_id=pin.pk, trigger="manual")
    pin.refresh_from_db()
    assert not result.success and pin.status == PinStatus.ERROR
    assert "Token refresh failed: Invalid refresh token" in pin.error_message
    assert not reload(connection).is_active
    assert standin.created_count() == 0


def test_an_expired_token_without_refresh_token_is_unusable(standin):
    connection = expiring(standin, access_in=timedelta(minutes=-1), refresh_token="")
    with pytest.raises(ConnectionUnusable, match="expired"):
        connection_access_token(connection=connection)


# --- concurrency (PostgreSQL: real row locks) ------------------------------------------------


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait(timeout=5)
            results[index] = target()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publishers_refreshing_just_in_time_spend_the_refresh_token_once(standin):
    connection = expiring(standin, access_in=timedelta(minutes=5))
    old_refresh = connection.refresh_token
    standin.set_latency(300)  # the first refresher holds the row lock while Pinterest answers

    tokens = _in_threads(
        2, lambda: connection_access_token(connection=PinterestConnection.objects.get(pk=connection.pk))
    )

    standin.set_latency(0)
    assert token_calls(standin) == 1
    assert tokens[0] == tokens[1] == reload(connection).access_token
    assert PinterestClient(client_config(), tokens[0]).get_user_account()["id"] == connection.pinterest_user_id
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_daily_refreshers_refresh_each_connection_once(standin):
    connection = expiring(standin)
    standin.set_latency(200)
    summaries = _in_threads(2, lambda: connections_refresh_expiring(within=WEEK))
    standin.set_latency(0)
    assert token_calls(standin) == 1
    assert sorted(s["refreshed"] for s in summaries) == [0, 1]
    connection = reload(connection)
    assert connection.is_active
    account = PinterestClient(client_config(), connection.access_token).get_user_account()
    assert account["id"] == connection.pinterest_user_id


def test_the_just_in_time_window_is_ten_minutes():
    assert JUST_IN_TIME_REFRESH == timedelta(minutes=10)
