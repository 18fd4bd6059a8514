"""A token added by hand (the command, the admin's "Add a sandbox token", the demo) with a
refresh token is refreshed once right after it is stored, so its expiry is known and the
daily job keeps it alive; without one its expiry stays unknown and the connection says so.
Counted from the stand-in's side: exactly one call to the token endpoint.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.utils import timezone

from pinterest.client import PinterestClient
from pinterest.errors import ConnectError, PinterestBadRequest
from pinterest.models import Health, PinterestConnection
from pinterest.selectors import connections_expiring
from pinterest.services.connect import connection_add_from_token
from pinterest.services.refresh import RefreshOutcome, connections_refresh_retry_due
from tests.factories import client_config, make_connection, make_tenant, make_user
from tests.pinterest.helpers import token_calls

pytestmark = pytest.mark.django_db

EXPIRY_UNKNOWN = "Expiry unknown: add a refresh token or connect with OAuth to keep it alive."


@pytest.fixture
def account(standin):
    """A stand-in account with two boards: (user, access token, refresh token)."""
    user = standin.create_user("handadded")
    standin.add_boards(user, 2)
    access, refresh = standin.issue_tokens(user)
    return user, access, refresh




def board_calls(standin) -> int:
    return sum(1 for call in standin.calls if call.endpoint == "list_boards")


def stored() -> PinterestConnection:
    return PinterestConnection.objects.get()


def spend(refresh_token):
    """Use a refresh token once, as an earlier add of the same token would have."""
    PinterestClient(client_config()).refresh_access_token(refresh_token)


def test_a_refresh_token_is_traded_once_and_both_expiries_and_the_rotated_token_are_stored(standin, account):
    _, access, refresh = account
    before = timezone.now()

    result = connection_add_from_token(tenant=make_tenant(), access_token=access, refresh_token=refresh)

    connection = stored()
    assert token_calls(standin) == 1
    assert result.refresh.status == RefreshOutcome.REFRESHED and result.refresh_error == ""
    assert before + timedelta(days=29) < connection.access_token_expires_at <= timezone.now() + timedelta(days=30)
    assert before + timedelta(days=59) < connection.refresh_token_expires_at <= timezone.now() + timedelta(days=60)
    assert connection.refresh_token not in ("", refresh) and connection.access_token not in ("", access)
    assert connection.is_active and connection.health()[0] == Health.OK
    assert connection.boards.count() == 2
    assert "Token refreshed: it expires " in result.message and "renewed automatically" in result.message
    assert access not in result.message and refresh not in result.message
    # The daily job sees it now; the refresh token given was spent, the stored one is the live one.
    assert list(connections_expiring(within=timedelta(days=31))) == [connection]
    with pytest.raises(PinterestBadRequest):
        spend(refresh)
    spend(connection.refresh_token)


def test_without_a_refresh_token_nothing_is_refreshed_and_the_expiry_stays_unknown(standin, account):
    _, access, _ = account

    result = connection_add_from_token(tenant=make_tenant(), access_token=access)

    connection = stored()
    assert token_calls(standin) == 0 and result.refresh is None
    assert (connection.access_token_expires_at, connection.refresh_token_expires_at) == (None, None)
    assert connection.access_token == access and connection.refresh_token == ""
    assert connection.health() == (Health.EXPIRY_UNKNOWN, EXPIRY_UNKNOWN)
    assert EXPIRY_UNKNOWN in result.message and connection.boards.count() == 2


def test_a_refresh_token_pinterest_refuses_leaves_the_connection_inactive_and_says_why(standin, account):
    _, access, refresh = account
    spend(refresh)

    result = connection_add_from_token(tenant=make_tenant(), access_token=access, refresh_token=refresh)

    connection = stored()
    assert token_calls(standin) == 2  # ours and the one that spent it before
    assert result.refresh.status == RefreshOutcome.FAILED
    assert not connection.is_active and connection.last_error == "Token refresh failed: Invalid refresh token."
    assert board_calls(standin) == 0
    assert result.message == (
        "Connected Pinterest account @handadded, but it is inactive: Pinterest refused its refresh token "
        "(Token refresh failed: Invalid refresh token). A refresh token works only once (every refresh "
        "replaces it): add the token again with an unused refresh token, or connect with OAuth."
    )


def test_a_passing_failure_keeps_the_connection_says_it_will_be_tried_again_and_the_retry_job_does(
    standin, account
):
    _, access, refresh = account
    standin.fail_next("503", 1, endpoint="token")

    result = connection_add_from_token(tenant=make_tenant(), access_token=access, refresh_token=refresh)

    connection = stored()
    assert token_calls(standin) == 1  # no retries while a person waits
    assert result.refresh.status == RefreshOutcome.RETRYING
    assert connection.is_active and connection.health()[0] == Health.REFRESH_FAILING
    assert connection.refresh_token == refresh and connection.access_token_expires_at is None
    assert connection.next_refresh_at is not None and connection.boards.count() == 2
    assert "Its first token refresh did not go through (Token refresh failing: Service unavailable" in result.message
    assert "it will be tried again automatically" in result.message

    summary = connections_refresh_retry_due(now=connection.next_refresh_at + timedelta(seconds=1))

    connection = stored()
    assert summary["refreshed"] == 1 and token_calls(standin) == 2
    assert connection.access_token_expires_at is not None and connection.refresh_token_expires_at is not None
    assert connection.refresh_token != refresh and connection.health()[0] == Health.OK


def test_a_refresh_token_without_the_pinterest_app_configured_is_refused_before_anything_happens(
    standin, account, settings
):
    _, access, refresh = account
    settings.PINTEREST_APP_SECRET = ""

    with pytest.raises(ConnectError, match="PINTEREST_APP_SECRET is not set, so pinpublisher cannot use a refresh"):
        connection_add_from_token(tenant=make_tenant(), access_token=access, refresh_token=refresh)

    assert not PinterestConnection.objects.exists() and standin.calls == []


def test_a_new_token_for_a_connection_whose_refresh_kept_failing_starts_afresh(standin, account):
    user, access, _ = account
    tenant = make_tenant()
    make_connection(
        tenant, pinterest_user_id=user.id, username=user.username, refresh_failing_since=timezone.now(),
        refresh_failures=4, next_refresh_at=timezone.now(), last_error="Token refresh failing: Service unavailable.",
    )

    result = connection_add_from_token(tenant=tenant, access_token=access)

    connection = stored()
    assert not result.created
    assert connection.refresh_failing_since is None and connection.next_refresh_at is None
    assert connection.refresh_failures == 0
    assert connection.health() == (Health.EXPIRY_UNKNOWN, EXPIRY_UNKNOWN)


# --- what the callers print ------------------------------------------------------------------


def test_add_connection_prints_the_refresh_and_never_a_token(standin, account, monkeypatch):
    _, access, refresh = account
    make_tenant("Acme")
    monkeypatch.setenv("PIN_TOKEN", access)
    monkeypatch.setenv("PIN_REFRESH", refresh)
    out = StringIO()

    call_command("add_connection", "--tenant", "Acme", "--token-env", "PIN_TOKEN", "--refresh-token-env",
                 "PIN_REFRESH", stdout=out)

    output = out.getvalue()
    assert "Connected Pinterest account @handadded. Token refreshed: it expires " in output
    assert "Boards synced: 2 on Pinterest" in output and token_calls(standin) == 1
    connection = stored()
    for token in (access, refresh, connection.access_token, connection.refresh_token):
        assert token not in output


def test_the_admin_form_reports_a_refused_refresh_token(client, standin, account):
    _, access, refresh = account
    spend(refresh)
    staff = make_user(tenant=make_tenant("Acme"), is_staff=True)
    client.force_login(staff)

    response = client.post("/admin/pinterest/pinterestconnection/add-token/",
                           {"tenant": staff.membership.tenant.pk, "access_token": access, "refresh_token": refresh})

    assert response.status_code == 302
    message = str(list(get_messages(response.wsgi_request))[0])
    assert "but it is inactive: Pinterest refused its refresh token" in message
    assert refresh not in message and not stored().is_active
