"""POST /api/connections/{id}/refresh/, POST /api/connections/{id}/sync-boards/ and
DELETE /api/connections/{id}/: tenant-scoped, thin, and never a token in the answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pinterest.models import Board, PinterestConnection
from pinterest.services.connect import PINTEREST_APPS_SETTINGS_URL
from publishing.models import Pin
from tests.factories import make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(standin):
    """A user's API client and a connection of their tenant that works on the stand-in."""
    user = standin.create_user()
    standin.add_boards(user, 2)
    access, refresh = standin.issue_tokens(user)
    connection = make_connection(
        pinterest_user_id=user.id, username=user.username, access_token=access, refresh_token=refresh,
        access_token_expires_at=timezone.now() + timedelta(days=20),
    )
    api = APIClient()
    api.force_authenticate(make_user(tenant=connection.tenant))
    return api, connection, (access, refresh)


def assert_no_token(response, *tokens):
    body = response.content.decode()
    assert tokens and all(token and token not in body for token in tokens)


def url(connection, action=""):
    return f"/api/connections/{connection.pk}/{action + '/' if action else ''}"


def current_tokens(connection):
    connection = PinterestConnection.objects.get(pk=connection.pk)
    return connection.access_token, connection.refresh_token


def test_refresh_answers_the_new_expiries_and_never_a_token(setup):
    api, connection, old = setup
    response = api.post(url(connection, "refresh"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == connection.pk and data["is_active"] and data["last_refreshed_at"]
    assert set(data) == {
        "id", "is_active", "access_token_expires_at", "refresh_token_expires_at", "last_refreshed_at", "last_error"
    }
    new = current_tokens(connection)
    assert new != old
    assert_no_token(response, *old, *new)


def test_refresh_refused_by_pinterest_is_a_409_and_the_connection_inactive(setup, standin):
    api, connection, _ = setup
    standin.revoke_tokens(connection.pinterest_user_id)
    response = api.post(url(connection, "refresh"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "token_refresh_failed"
    assert response.json()["error"]["message"] == "Token refresh failed: Invalid refresh token."
    assert not PinterestConnection.objects.get(pk=connection.pk).is_active


def test_refresh_of_an_inactive_connection_is_a_409(setup):
    api, connection, _ = setup
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=False)
    response = api.post(url(connection, "refresh"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "connection_inactive"


def test_sync_boards_answers_the_counts(setup):
    api, connection, tokens = setup
    response = api.post(url(connection, "sync-boards"))
    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "archived": 0, "total": 2}
    assert Board.objects.filter(connection=connection).count() == 2
    assert_no_token(response, *tokens)


def test_sync_boards_when_pinterest_fails_is_a_502(setup, standin):
    api, connection, _ = setup
    standin.fail_next("503", endpoint="list_boards")
    response = api.post(url(connection, "sync-boards"))
    assert response.status_code == 502 and response.json()["error"]["code"] == "pinterest_error"


def test_sync_boards_of_an_inactive_connection_is_a_409(setup):
    api, connection, _ = setup
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=False)
    assert api.post(url(connection, "sync-boards")).status_code == 409


def test_disconnect_deletes_the_tokens_and_keeps_boards_and_pins(setup):
    api, connection, tokens = setup
    board = make_board(connection=connection)
    pin = make_pin(project=make_project(tenant=connection.tenant, connection=connection), board=board)

    response = api.delete(url(connection))

    assert response.status_code == 200
    data = response.json()
    assert data["is_active"] is False and data["pinterest_apps_url"] == PINTEREST_APPS_SETTINGS_URL
    assert PINTEREST_APPS_SETTINGS_URL in data["message"]
    connection = PinterestConnection.objects.get(pk=connection.pk)
    assert not connection.is_active
    assert (connection.access_token, connection.refresh_token) == ("", "")
    assert connection.access_token_expires_at is None
    assert Board.objects.filter(pk=board.pk).exists() and Pin.objects.filter(pk=pin.pk).exists()
    assert_no_token(response, *tokens)


def test_disconnect_tells_the_tenants_webhooks_and_owners_that_the_account_needs_reconnecting(
    setup, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from webhooks.models import Delivery, Event
    from webhooks.services.endpoints import endpoint_create

    api, connection, tokens = setup
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True
    endpoint = endpoint_create(tenant=connection.tenant, url="http://127.0.0.1:9/hooks").endpoint
    owner = connection.tenant.memberships.get().user
    type(owner).objects.filter(pk=owner.pk).update(email="owner@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(url(connection))

    assert response.status_code == 200
    (event,) = Event.objects.filter(tenant=connection.tenant)
    assert event.type == "connection.needs_reconnect"
    assert event.data["connection_id"] == connection.pk
    assert event.data["health"] == "needs_reconnect"
    assert Delivery.objects.filter(event=event, endpoint=endpoint).count() == 1
    (email,) = mailoutbox
    assert email.to == ["owner@example.com"] and str(connection) in email.subject
    assert "connected again" in email.subject
    assert_no_token(response, *tokens)
    assert all(token not in email.body for token in tokens)


@pytest.mark.parametrize("method, action", [("post", "refresh"), ("post", "sync-boards"), ("delete", "")])
def test_another_tenants_connection_is_a_404_and_untouched(setup, method, action):
    api, _, _ = setup
    other = make_connection()
    response = getattr(api, method)(url(other, action))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    other = PinterestConnection.objects.get(pk=other.pk)
    assert other.is_active and other.has_access_token


def test_anonymous_callers_are_refused(setup):
    _, connection, _ = setup
    response = APIClient().post(url(connection, "refresh"))
    assert response.status_code in (401, 403)
