"""How long a token refresh may wait, and what it holds meanwhile (issue 24).

A person who asks for a refresh ("refresh now" in the API or the admin) waits at most
``TOKEN_REFRESH_MAX_WAIT_SECONDS`` in all for Pinterest's Retry-After and the backoff; when
Pinterest asks for longer they are told at once when to try again. The daily job keeps its
retries in the background. No refresher sleeps while it holds the connection's row lock.
Sleeps are counted as asked for (the sleep is replaced), never timed.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import DatabaseError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from pinterest.models import PinterestConnection
from pinterest.services.refresh import (
    RefreshOutcome,
    connection_refresh_tokens,
    connections_refresh_expiring,
)
from pinterest.services.refresh_waits import RefreshPatience
from tests.pinterest.helpers import expiring, reload, token_calls

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)
TRIES = 4


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001


@pytest.fixture
def sleeps(monkeypatch):
    """Every sleep this thread asks for, in seconds; none is slept (other threads sleep as usual)."""
    asked: list[float] = []
    real_sleep = time.sleep
    me = threading.get_ident()

    def sleep(seconds):
        if threading.get_ident() == me:
            asked.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    return asked


def rate_limited(standin, retry_after, count=TRIES):
    standin.fail_next("429", count, endpoint="token", retry_after=retry_after)


# --- refresh now: the API ------------------------------------------------------------------------


def test_refresh_now_in_the_api_told_to_wait_a_minute_answers_at_once_saying_when_to_try_again(
    standin, tenant, tenant_api, sleeps
):
    connection = expiring(standin, tenant=tenant, access_in=timedelta(days=20))
    rate_limited(standin, 60)
    before = timezone.now()

    response = tenant_api.post(f"/api/connections/{connection.pk}/refresh/")

    assert sleeps == []  # Pinterest's minute is longer than a person waits: not waited at all
    assert token_calls(standin) == 1
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "60"
    error = response.json()["error"]
    assert error["code"] == "connection_refresh_failing"
    try_at = before + timedelta(seconds=60)
    assert "Pinterest asked to wait 60 s before the next token refresh" in error["message"]
    assert f"try again after {try_at:%H:%M}" in error["message"] or (
        f"try again after {try_at + timedelta(seconds=2):%H:%M}" in error["message"]
    )
    connection = reload(connection)
    assert connection.is_active and connection.refresh_failures == 1
    # The automatic retry is not booked before Pinterest said it may be.
    assert connection.next_refresh_at >= before + timedelta(minutes=5)


def test_refresh_now_in_the_api_waits_at_most_the_bound_in_all_for_short_retry_afters(
    standin, settings, tenant, tenant_api, sleeps
):
    settings.TOKEN_REFRESH_MAX_WAIT_SECONDS = 15
    connection = expiring(standin, tenant=tenant, access_in=timedelta(days=20))
    rate_limited(standin, 6)

    response = tenant_api.post(f"/api/connections/{connection.pk}/refresh/")

    assert sleeps == [6, 6]  # a third 6 s would pass 15 s in all
    assert token_calls(standin) == 3
    assert response.status_code == 503 and response["Retry-After"] == "6"
    assert reload(connection).is_active


def test_refresh_now_in_the_api_that_succeeds_after_a_short_retry_after_answers_200(
    standin, tenant, tenant_api, sleeps
):
    connection = expiring(standin, tenant=tenant, access_in=timedelta(days=20))
    rate_limited(standin, 3, count=1)

    response = tenant_api.post(f"/api/connections/{connection.pk}/refresh/")

    assert sleeps == [3]
    assert response.status_code == 200, response.content
    assert reload(connection).refresh_failing_since is None


# --- refresh now: the admin action ---------------------------------------------------------------


def test_the_admin_refresh_action_waits_at_most_the_bound_over_all_its_connections(
    standin, settings, admin_client, sleeps
):
    settings.TOKEN_REFRESH_MAX_WAIT_SECONDS = 15
    first = expiring(standin, username="first")
    second = expiring(standin, username="second")
    rate_limited(standin, 10, count=2 * TRIES)

    response = admin_client.post(
        reverse("admin:pinterest_pinterestconnection_changelist"),
        {"action": "refresh_tokens_now", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert sum(sleeps) <= 15 and sleeps == [10]
    messages = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
    assert [level for level, _ in messages] == ["error", "error"]
    for (_, message), name in zip(messages, ["@first", "@second"], strict=True):
        assert message.startswith(f"{name}: ")
        assert "Pinterest asked to wait 10 s before the next token refresh" in message
        assert "try again after" in message
    assert reload(first).is_active and reload(second).is_active


# --- the daily job keeps its retries ---------------------------------------------------------------


def test_the_daily_refresh_still_waits_out_pinterests_retry_after_in_the_background(standin, sleeps):
    connection = expiring(standin)
    rate_limited(standin, 60, count=TRIES - 1)

    summary = connections_refresh_expiring(within=WEEK)

    assert sleeps == [60, 60, 60]
    assert summary["refreshed"] == 1 and token_calls(standin) == TRIES
    assert reload(connection).refresh_failing_since is None


def test_a_retry_after_the_refresh_is_given_up_on_is_told_and_booked(standin, sleeps):
    connection = expiring(standin)
    rate_limited(standin, 3600)

    outcome = connection_refresh_tokens(connection_id=connection.pk, patience=RefreshPatience(15))

    assert sleeps == [] and token_calls(standin) == 1
    assert outcome.status == RefreshOutcome.RETRYING and outcome.retry_after == 3600
    assert reload(connection).next_refresh_at >= timezone.now() + timedelta(minutes=59)


# --- no sleep under the row lock (PostgreSQL: real row locks) -------------------------------------


def lockable_by_another_transaction(connection_id) -> bool:
    """Whether another database connection can lock the row right now (it never waits)."""
    result: list[bool] = []

    def look():
        try:
            with transaction.atomic():
                PinterestConnection.objects.select_for_update(nowait=True).get(pk=connection_id)
            result.append(True)
        except DatabaseError:
            result.append(False)
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(timeout=10)
    return result == [True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("retry_after", [2, 60])
def test_no_refresher_holds_the_row_lock_while_it_waits(standin, retry_after):
    connection = expiring(standin)
    rate_limited(standin, retry_after, count=2)
    lockable = []

    def sleep(seconds):
        lockable.append(lockable_by_another_transaction(connection.pk))

    outcome = connection_refresh_tokens(connection_id=connection.pk, within=WEEK, sleep=sleep)

    assert outcome.status == RefreshOutcome.REFRESHED
    assert lockable == [True, True]
    assert token_calls(standin) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_done_by_another_refresher_while_one_waits_is_not_done_again(standin):
    connection = expiring(standin)
    rate_limited(standin, 2, count=1)
    other = []

    def sleep(seconds):
        # Another refresher (the daily job) gets the row while this one waits, and refreshes.
        thread = threading.Thread(
            target=lambda: (
                other.append(connection_refresh_tokens(connection_id=connection.pk, within=WEEK).status),
                connections.close_all(),
            )
        )
        thread.start()
        thread.join(timeout=10)

    outcome = connection_refresh_tokens(connection_id=connection.pk, sleep=sleep)

    assert other == [RefreshOutcome.REFRESHED]
    assert outcome.status == RefreshOutcome.REFRESHED  # done meanwhile: the person's wish is met
    assert token_calls(standin) == 2  # the 429, then the other's refresh; the new token is not spent again
    connection = reload(connection)
    assert connection.refresh_failing_since is None and connection.is_active
