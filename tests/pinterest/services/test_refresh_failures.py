"""Keeping a connection through Pinterest's bad minutes: a transient token-refresh failure
(5xx, timeout, unreachable, DNS, 429) keeps it active and is tried again with backoff; only a
definite refusal (400 invalid grant, 401, 403) or a refresh token that has itself run out
deactivates it. Every refresher is covered: the daily job, the retry job (function, task and
``refresh_tokens --retry-due``), the just-in-time refresh, and "refresh now" in the API and
the admin. Publishing through these failures is in tests/publishing/engine/test_connection_trouble.py.
"""

import io
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from pinterest.client import PinterestClient
from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable, PinterestBadRequest
from pinterest.models import Health, PinterestConnection
from pinterest.services.refresh import (
    RefreshOutcome,
    connection_refresh_tokens,
    connections_refresh_expiring,
    connections_refresh_retry_due,
    refresh_retry_delay,
)
from pinterest.services.tokens import connection_access_token
from pinterest.tasks import refresh_expiring_connections, retry_failing_refreshes
from tests.factories import client_config
from tests.pinterest.helpers import expiring, reload, token_calls

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)
FIRST_RETRY = timedelta(minutes=5)
#: What the daily job, the retry job and "refresh now" send when every answer is transient:
#: the first try and three retries.
TRIES = 4


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001




def failing(standin, **fields):
    """A connection whose last refresh failed transiently, its next try due at ``next_refresh_at``."""
    now = timezone.now()
    values = {
        "refresh_failing_since": now - timedelta(hours=1), "refresh_failures": 1,
        "next_refresh_at": now - timedelta(seconds=1), "last_error": "Token refresh failing: Service unavailable.",
        "last_error_at": now - timedelta(minutes=5),
    }
    return expiring(standin, **{**values, **fields})






def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_token_endpoint_fail(kind, standin, settings, count=TRIES):
    """Make the next ``count`` token calls fail the ``kind`` way (transient kinds only)."""
    if kind == "refused":
        settings.PINTEREST_API_BASE = f"http://127.0.0.1:{unused_port()}/v5"
    elif kind == "dns":
        settings.PINTEREST_API_BASE = "http://api.pinterest.invalid/v5"
    else:
        if kind == "hang":
            settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.2
            standin.set_hang_seconds(0.4)
        standin.fail_next(kind, count, endpoint="token")


def assert_failing_and_active(connection, *, since, failures=1):
    """The connection is kept, says why with the time, and has its next try booked."""
    assert connection.is_active
    assert connection.refresh_failures == failures
    assert connection.refresh_failing_since >= since
    assert connection.last_error.startswith("Token refresh failing: ")
    assert connection.last_error_at >= since
    assert since + refresh_retry_delay(failures) <= connection.next_refresh_at
    assert connection.next_refresh_at <= timezone.now() + refresh_retry_delay(failures)
    assert connection.health()[0] == Health.REFRESH_FAILING


def assert_still_refreshable(connection):
    """The stored refresh token was never spent: trading it still works."""
    grant = PinterestClient(client_config()).refresh_access_token(connection.refresh_token)
    assert grant.access_token


TRANSIENT = ["503", "500", "429", "hang", "drop", "refused", "dns"]
#: A definite refusal: (how the stand-in refuses, what the connection then says).
DEFINITE = {
    "invalid grant": ("revoke", "Token refresh failed: Invalid refresh token."),
    "401": ("401", "Token refresh failed: Authentication failed."),
    "403 (the app lost access)": ("403", "Token refresh failed: The app no longer has access to this account."),
}


def refuse(how, standin, connection):
    if how == "revoke":
        standin.revoke_tokens(connection.pinterest_user_id)
    elif how == "403":
        standin.fail_next(how, endpoint="token", message="The app no longer has access to this account.")
    else:
        standin.fail_next(how, endpoint="token")


# --- the daily refresh --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_transient_failure_of_the_daily_refresh_keeps_the_connection_active_and_books_a_retry(
    standin, settings, kind
):
    connection = expiring(standin)
    before = timezone.now()
    make_token_endpoint_fail(kind, standin, settings)

    summary = refresh_expiring_connections()

    assert (summary["total"], summary["refreshed"], summary["retrying"], summary["failed"]) == (1, 0, 1, 0)
    connection = reload(connection)
    assert_failing_and_active(connection, since=before)
    assert summary["details"][0]["error"] == connection.last_error
    if kind not in ("refused", "dns"):
        assert token_calls(standin) == TRIES
        assert_still_refreshable(connection)


@pytest.mark.parametrize("case", DEFINITE.values(), ids=DEFINITE.keys())
def test_a_definite_refusal_of_the_daily_refresh_deactivates_the_connection_at_once(standin, case):
    how, error = case
    connection = expiring(standin)
    refuse(how, standin, connection)
    before = timezone.now()

    summary = connections_refresh_expiring(within=WEEK)

    assert (summary["refreshed"], summary["retrying"], summary["failed"]) == (0, 0, 1)
    connection = reload(connection)
    assert not connection.is_active and connection.last_error == error and connection.last_error_at >= before
    assert connection.next_refresh_at is None
    assert connection.health() == (Health.NEEDS_RECONNECT, error)
    assert token_calls(standin) == 1  # a refusal is never retried


def test_a_token_endpoint_hanging_past_the_read_timeout_costs_only_the_timeouts(standin, settings):
    connection = expiring(standin)
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.2
    # A hang far longer than any slowness of the machine (the stand-in cuts it short when it stops).
    standin.set_hang_seconds(60)
    standin.fail_next("hang", TRIES, endpoint="token")

    started = time.monotonic()
    outcome = connection_refresh_tokens(connection_id=connection.pk, within=WEEK)
    elapsed = time.monotonic() - started

    assert outcome.status == RefreshOutcome.RETRYING
    assert "within 0.2 s" in outcome.error
    assert elapsed < 30  # four tries of 0.2 s, never the stand-in's 60 s hang, however loaded the machine
    assert reload(connection).is_active


def test_a_failure_that_outlives_the_refresh_token_deactivates_the_connection(standin):
    connection = failing(
        standin, access_in=-timedelta(days=1), refresh_token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    standin.fail_next("503", TRIES, endpoint="token")

    summary = connections_refresh_expiring(within=WEEK)

    assert (summary["failed"], summary["retrying"]) == (1, 0)
    connection = reload(connection)
    assert not connection.is_active and connection.next_refresh_at is None
    assert connection.last_error.startswith("Token refresh kept failing until the refresh token expired")
    assert "Connect the account again" in connection.last_error


def test_the_daily_refresh_that_succeeds_after_failures_clears_the_failing_state(standin):
    connection = failing(standin, refresh_failures=3, next_refresh_at=timezone.now() + timedelta(hours=1))

    summary = connections_refresh_expiring(within=WEEK)

    assert summary["refreshed"] == 1
    connection = reload(connection)
    assert (connection.refresh_failing_since, connection.refresh_failures, connection.next_refresh_at) == (
        None, 0, None
    )
    assert connection.last_error == "" and connection.health()[0] == Health.OK


# --- the retry job ------------------------------------------------------------------------------


def test_the_retry_job_waits_until_next_refresh_at_has_come(standin):
    waiting = failing(standin, next_refresh_at=timezone.now() + timedelta(minutes=4))
    expiring(standin)  # expiring but not failing: the daily job's, not the retry job's

    summary = connections_refresh_retry_due()

    assert summary["total"] == 0 and token_calls(standin) == 0
    assert reload(waiting).refresh_failures == 1


def test_a_due_retry_that_succeeds_clears_the_failing_state(standin):
    connection = failing(standin)
    old_refresh = connection.refresh_token

    summary = connections_refresh_retry_due()

    assert (summary["total"], summary["refreshed"]) == (1, 1)
    connection = reload(connection)
    assert connection.is_active and connection.last_error == ""
    assert (connection.refresh_failing_since, connection.refresh_failures, connection.next_refresh_at) == (
        None, 0, None
    )
    assert connection.access_token_expires_at > timezone.now() + timedelta(days=29)
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)


def test_each_failed_retry_doubles_the_wait_and_keeps_the_first_failure_time(standin):
    connection = failing(standin, refresh_failures=0, next_refresh_at=None, refresh_failing_since=None)
    standin.fail_next("503", 3 * TRIES, endpoint="token")
    first = timezone.now()
    assert connection_refresh_tokens(connection_id=connection.pk).status == RefreshOutcome.RETRYING
    waits = []
    for _ in range(2):
        PinterestConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())
        before = timezone.now()
        assert connections_refresh_retry_due()["retrying"] == 1
        waits.append(reload(connection).next_refresh_at - before)

    connection = reload(connection)
    assert connection.refresh_failures == 3 and connection.is_active
    assert first <= connection.refresh_failing_since <= first + timedelta(seconds=5)
    assert timedelta(minutes=10) <= waits[0] < timedelta(minutes=10, seconds=5)
    assert timedelta(minutes=20) <= waits[1] < timedelta(minutes=20, seconds=5)


def test_the_retry_delay_doubles_from_five_minutes_and_stops_at_two_hours():
    assert [refresh_retry_delay(n) for n in range(1, 8)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 120, 120)
    ]


def test_a_definite_refusal_on_retry_deactivates_the_connection(standin):
    connection = failing(standin)
    standin.revoke_tokens(connection.pinterest_user_id)

    summary = connections_refresh_retry_due()

    assert (summary["failed"], summary["retrying"]) == (1, 0)
    connection = reload(connection)
    assert not connection.is_active and connection.next_refresh_at is None
    assert connection.last_error == "Token refresh failed: Invalid refresh token."


def test_the_retry_task_returns_the_counts_without_details(standin):
    failing(standin)
    assert retry_failing_refreshes() == {"total": 1, "refreshed": 1, "failed": 0, "retrying": 0, "skipped": 0}


def test_refresh_tokens_retry_due_refreshes_only_the_due_ones_and_says_so(standin):
    due = failing(standin)
    later = failing(standin, next_refresh_at=timezone.now() + timedelta(minutes=30))
    out = io.StringIO()

    call_command("refresh_tokens", "--retry-due", stdout=out)

    assert out.getvalue().strip() == (
        "1 refresh(es) due again: 1 refreshed, 0 still failing (tried again later), 0 failed."
    )
    assert reload(due).refresh_failing_since is None
    assert reload(later).refresh_failing_since is not None and token_calls(standin) == 1


def test_refresh_tokens_retry_due_fails_when_pinterest_refuses(standin):
    connection = failing(standin)
    standin.revoke_tokens(connection.pinterest_user_id)
    with pytest.raises(CommandError, match="1 token refreshes failed for good"):
        call_command("refresh_tokens", "--retry-due", stdout=io.StringIO())
    assert not reload(connection).is_active


# --- just in time (the token a publish or a board sync is about to use) -------------------------


def test_a_transient_just_in_time_failure_with_a_token_still_valid_uses_it(standin):
    connection = expiring(standin, access_in=timedelta(minutes=5))
    old = connection.access_token
    standin.fail_next("503", endpoint="token")
    before = timezone.now()

    assert connection_access_token(connection=connection) == old

    assert token_calls(standin) == 1  # no retry in line: someone is waiting
    assert_failing_and_active(reload(connection), since=before)


def test_a_token_still_valid_is_not_refreshed_again_before_its_next_try(standin):
    connection = failing(standin, access_in=timedelta(minutes=5), next_refresh_at=timezone.now() + FIRST_RETRY)
    assert connection_access_token(connection=connection) == connection.access_token
    assert token_calls(standin) == 0


def test_an_expired_token_that_cannot_be_refreshed_yet_makes_its_work_wait(standin):
    connection = expiring(standin, access_in=-timedelta(minutes=1))
    standin.fail_next("drop", endpoint="token")
    before = timezone.now()

    with pytest.raises(ConnectionRefreshFailing, match="could not refresh it yet") as raised:
        connection_access_token(connection=connection)

    assert raised.value.http_status == 503 and raised.value.code == "connection_refresh_failing"
    assert_failing_and_active(reload(connection), since=before)


@pytest.mark.parametrize("case", DEFINITE.values(), ids=DEFINITE.keys())
def test_a_definite_just_in_time_refusal_deactivates_the_connection(standin, case):
    how, error = case
    connection = expiring(standin, access_in=timedelta(minutes=5))
    refuse(how, standin, connection)
    with pytest.raises(ConnectionUnusable, match="disconnected") as raised:
        connection_access_token(connection=connection)
    assert not isinstance(raised.value, ConnectionRefreshFailing)
    assert not reload(connection).is_active and reload(connection).last_error == error


# --- refresh now: the API ------------------------------------------------------------------------


def refresh_url(connection):
    return f"/api/connections/{connection.pk}/refresh/"


@pytest.mark.parametrize("kind", ["503", "hang", "refused"])
def test_refresh_now_in_the_api_failing_transiently_keeps_the_connection_and_says_why(
    standin, settings, tenant, tenant_api, kind
):
    connection = expiring(standin, tenant=tenant, access_in=timedelta(days=20))
    before = timezone.now()
    make_token_endpoint_fail(kind, standin, settings)

    response = tenant_api.post(refresh_url(connection))

    connection = reload(connection)
    assert_failing_and_active(connection, since=before)
    assert response.status_code == 503, response.content
    error = response.json()["error"]
    assert error["code"] == "connection_refresh_failing" and error["message"] == connection.last_error
    detail = tenant_api.get(f"/api/connections/{connection.pk}/").json()
    assert detail["health"] == Health.REFRESH_FAILING
    assert detail["refresh_failing_since"] and detail["next_refresh_at"] and detail["last_error_at"]


@pytest.mark.parametrize("case", DEFINITE.values(), ids=DEFINITE.keys())
def test_refresh_now_in_the_api_refused_by_pinterest_is_a_409_and_deactivates(standin, tenant, tenant_api, case):
    how, error = case
    connection = expiring(standin, tenant=tenant)
    refuse(how, standin, connection)

    response = tenant_api.post(refresh_url(connection))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "token_refresh_failed"
    assert response.json()["error"]["message"] == error
    assert not reload(connection).is_active


def test_refresh_now_in_the_api_heals_a_failing_connection(standin, tenant, tenant_api):
    connection = failing(standin, tenant=tenant, next_refresh_at=timezone.now() + timedelta(hours=1))
    response = tenant_api.post(refresh_url(connection))
    assert response.status_code == 200 and response.json()["last_error"] == ""
    assert tenant_api.get(f"/api/connections/{connection.pk}/").json()["health"] == Health.OK


# --- refresh now: the admin action ---------------------------------------------------------------


def admin_refresh(admin_client, *connections_):
    response = admin_client.post(
        reverse("admin:pinterest_pinterestconnection_changelist"),
        {"action": "refresh_tokens_now", "_selected_action": [c.pk for c in connections_]},
        follow=True,
    )
    assert response.status_code == 200
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_the_admin_refresh_action_reports_each_connection_as_pinterest_answered(standin, admin_client):
    # Refreshed in id order: down gets Pinterest's 503s, refused its refusal, fine a new token.
    down = expiring(standin, username="down")
    refused = expiring(standin, username="refused")
    fine = expiring(standin, username="fine")
    standin.fail_next("503", TRIES, endpoint="token")
    standin.revoke_tokens(refused.pinterest_user_id)
    before = timezone.now()

    messages = admin_refresh(admin_client, fine, down, refused)

    down_now = reload(down)
    assert messages == [
        ("error", f"@down: {down_now.last_error}"),
        ("error", "@refused: Token refresh failed: Invalid refresh token."),
        ("success", "Refreshed the tokens of @fine."),
    ]
    assert_failing_and_active(down_now, since=before)
    assert_still_refreshable(down_now)
    assert not reload(refused).is_active
    assert reload(fine).last_refreshed_at is not None and reload(fine).refresh_failing_since is None


def test_the_admin_change_page_shows_a_failing_refresh_with_its_times(standin, admin_client):
    connection = failing(standin, next_refresh_at=timezone.now() + FIRST_RETRY)
    body = admin_client.get(
        reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])
    ).content.decode()
    assert "Refresh failing" in body
    assert f"Token refresh failing since {connection.refresh_failing_since:%Y-%m-%d %H:%M}" in body


# --- two refreshers at once (PostgreSQL: real row locks) ----------------------------------------


def _at_once(*functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index):
        try:
            barrier.wait(timeout=5)
            results[index] = functions[index]()
        except Exception as exc:  # looked at by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_retry_jobs_at_once_spend_a_due_refresh_token_once(standin):
    connection = failing(standin)
    old_refresh = connection.refresh_token
    standin.set_latency(300)  # the first holds the row lock while Pinterest answers

    summaries = _at_once(connections_refresh_retry_due, connections_refresh_retry_due)

    standin.set_latency(0)
    assert token_calls(standin) == 1
    assert sorted(s["refreshed"] for s in summaries) == [0, 1]
    assert reload(connection).refresh_failing_since is None
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_retry_jobs_at_once_while_pinterest_is_down_try_once_and_book_one_retry(standin):
    connection = failing(standin)
    standin.fail_next("503", 2 * TRIES, endpoint="token")
    standin.set_latency(100)

    summaries = _at_once(connections_refresh_retry_due, connections_refresh_retry_due)

    standin.set_latency(0)
    assert token_calls(standin) == TRIES
    assert sorted(s["retrying"] for s in summaries) == [0, 1]
    assert reload(connection).refresh_failures == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_retry_job_and_a_just_in_time_refresh_at_once_spend_the_refresh_token_once(standin):
    connection = failing(standin, access_in=-timedelta(minutes=1))
    old_refresh = connection.refresh_token
    standin.set_latency(300)

    results = _at_once(
        connections_refresh_retry_due,
        lambda: connection_access_token(connection=PinterestConnection.objects.get(pk=connection.pk)),
    )

    standin.set_latency(0)
    assert not any(isinstance(r, Exception) for r in results), results
    connection = reload(connection)
    assert token_calls(standin) == 1
    assert results[1] == connection.access_token and connection.refresh_failing_since is None
    assert PinterestClient(client_config(), results[1]).get_user_account()["id"] == connection.pinterest_user_id
    with pytest.raises(PinterestBadRequest):
        PinterestClient(client_config()).refresh_access_token(old_refresh)
