"""Connecting a Pinterest account through OAuth, end to end against the stand-in: Django's
test client plays the browser on this site, ``requests`` plays it on Pinterest's consent page."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from pinterest import oauth
from pinterest.client import PinterestClient
from pinterest.models import REQUIRED_SCOPES, PinterestConnection
from tests.factories import client_config, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db

CONNECT = "/pinterest/connect/"


@pytest.fixture
def person(client):
    user = make_user(tenant=make_tenant("Acme"), is_staff=True)
    client.force_login(user)
    return user


def start(client, **params) -> str:
    """GET /pinterest/connect/: the URL of Pinterest's consent page it sends the person to."""
    response = client.get(CONNECT, params)
    assert response.status_code == 302, response.content
    return response["Location"]


def consent(authorize_url: str) -> str:
    """Pinterest's consent page (the stand-in's grants at once): the callback path it sends back to."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    return f"{location.path}?{location.query}"


def token_calls(standin) -> int:
    return sum(1 for call in standin.calls if call.endpoint == "token")


def test_connect_sends_the_person_to_pinterest_with_app_redirect_uri_scopes_and_a_state(client, person, settings,
                                                                                      standin):
    url = urlsplit(start(client))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.PINTEREST_OAUTH_AUTHORIZE_URL
    assert query["client_id"] == settings.PINTEREST_APP_ID
    assert query["redirect_uri"] == settings.PINTEREST_REDIRECT_URI
    assert query["response_type"] == "code"
    assert query["scope"].split(",") == list(REQUIRED_SCOPES)
    assert len(query["state"]) >= 40
    assert query["state"] in client.session[oauth.SESSION_KEY]


def test_each_connect_gets_a_new_state(client, person, standin):
    first, second = (parse_qs(urlsplit(start(client)).query)["state"][0] for _ in range(2))
    assert first != second


def test_the_whole_dance_stores_an_active_connection_with_its_tokens_and_boards(client, person, standin):
    user = standin.create_user("bakery")
    standin.login_as(user)
    standin.add_boards(user, 3, prefix="Cakes")
    project = make_project(tenant=person.membership.tenant)

    response = client.get(consent(start(client, project=project.pk)))

    connection = PinterestConnection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])
    assert (connection.tenant, connection.pinterest_user_id, connection.username) == (
        person.membership.tenant, user.id, "bakery"
    )
    assert connection.is_active and connection.last_error == ""
    assert set(connection.scope_list) == set(REQUIRED_SCOPES)
    assert connection.access_token_expires_at and connection.refresh_token_expires_at
    # The stored tokens are the ones Pinterest granted: they work, and are encrypted at rest.
    assert PinterestClient(client_config(), connection.access_token).get_user_account()["id"] == user.id
    raw = PinterestConnection.objects.filter(pk=connection.pk).values_list("access_token", "refresh_token").get()
    assert connection.access_token not in raw and connection.refresh_token not in raw
    assert sorted(connection.boards.values_list("name", flat=True)) == ["Cakes 1", "Cakes 2", "Cakes 3"]
    project.refresh_from_db()
    assert project.pinterest_connection == connection
    (message,) = get_messages(response.wsgi_request)
    assert "Connected Pinterest account @bakery" in str(message) and "3 new" in str(message)
    assert oauth.SESSION_KEY not in client.session or not client.session[oauth.SESSION_KEY]


def test_callback_without_state_is_refused_and_nothing_is_exchanged(client, person, standin):
    callback = consent(start(client))
    without_state = callback.split("&state=")[0] if "&state=" in callback else callback.replace("state=", "x=")
    response = client.get(without_state)
    assert response.status_code == 400
    assert "no state" in response.content.decode()
    assert PinterestConnection.objects.count() == 0 and token_calls(standin) == 0


def test_callback_with_a_wrong_state_is_refused(client, person, standin):
    path = urlsplit(consent(start(client))).path
    code = parse_qs(urlsplit(consent(start(client))).query)["code"][0]
    response = client.get(path, {"code": code, "state": "forged-" + "x" * 40})
    assert response.status_code == 400
    assert PinterestConnection.objects.count() == 0 and token_calls(standin) == 0


def test_a_state_from_another_session_is_refused(client, person, standin):
    callback = consent(start(client))
    other = Client()
    other.force_login(make_user(tenant=person.membership.tenant, is_staff=True))
    response = other.get(callback)
    assert response.status_code == 400
    assert PinterestConnection.objects.count() == 0 and token_calls(standin) == 0


def test_an_expired_state_is_refused(client, person, standin, monkeypatch):
    callback = consent(start(client))
    later = time.time() + oauth.STATE_MAX_AGE_SECONDS + 1
    monkeypatch.setattr(oauth, "_now", lambda: later)
    response = client.get(callback)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert PinterestConnection.objects.count() == 0 and token_calls(standin) == 0


def test_a_state_just_inside_ten_minutes_is_accepted(client, person, standin, monkeypatch):
    callback = consent(start(client))
    later = time.time() + oauth.STATE_MAX_AGE_SECONDS - 5
    monkeypatch.setattr(oauth, "_now", lambda: later)
    assert client.get(callback).status_code == 302
    assert PinterestConnection.objects.count() == 1


def test_a_reused_state_is_refused(client, person, standin):
    callback = consent(start(client))
    assert client.get(callback).status_code == 302
    response = client.get(callback)
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert token_calls(standin) == 1 and PinterestConnection.objects.count() == 1


def test_declining_on_pinterest_shows_a_friendly_message_and_stores_nothing(client, person, standin):
    standin.deny_next_authorize()
    callback = consent(start(client))
    assert "error=access_denied" in callback
    response = client.get(callback)
    assert response.status_code == 200
    assert "You declined" in response.content.decode()
    assert PinterestConnection.objects.count() == 0 and token_calls(standin) == 0


def test_reconnecting_the_same_account_updates_its_row_and_makes_it_active_again(client, person, standin):
    client.get(consent(start(client)))
    first = PinterestConnection.objects.get()
    old_access, old_refresh = first.access_token, first.refresh_token
    PinterestConnection.objects.filter(pk=first.pk).update(is_active=False, last_error="Token refresh failed: x")

    response = client.get(consent(start(client)))

    again = PinterestConnection.objects.get()
    assert again.pk == first.pk
    assert again.is_active and again.last_error == ""
    assert (again.access_token, again.refresh_token) != (old_access, old_refresh)
    assert "Reconnected" in str(list(get_messages(response.wsgi_request))[-1])


def test_the_same_account_connected_by_two_tenants_is_two_connections(client, person, standin):
    client.get(consent(start(client)))
    other = Client()
    other.force_login(make_user(is_staff=True))
    other.get(consent(start(other)))
    assert PinterestConnection.objects.count() == 2
    assert len(set(PinterestConnection.objects.values_list("pinterest_user_id", flat=True))) == 1


def test_a_missing_scope_saves_the_connection_inactive_naming_the_scope(client, person, standin):
    standin.set_grant_scope("boards:read,boards:write,pins:read,user_accounts:read")
    response = client.get(consent(start(client)))
    connection = PinterestConnection.objects.get()
    assert response.status_code == 302
    assert not connection.is_active
    assert "pins:write" in connection.last_error
    assert connection.boards.count() == 0
    assert "inactive" in str(list(get_messages(response.wsgi_request))[0])


def test_without_user_accounts_read_the_account_cannot_be_identified_and_nothing_is_stored(client, person, standin):
    standin.set_grant_scope("boards:read,boards:write,pins:read,pins:write")
    response = client.get(consent(start(client)))
    assert response.status_code == 400
    assert "user_accounts:read" in response.content.decode()
    assert PinterestConnection.objects.count() == 0


def test_a_code_pinterest_refuses_stores_nothing(client, person, standin):
    callback = consent(start(client))
    standin.fail_next("400", endpoint="token", message="Invalid authorization code.")
    response = client.get(callback)
    assert response.status_code == 502
    assert "Invalid authorization code." in response.content.decode()
    assert PinterestConnection.objects.count() == 0


def test_boards_that_cannot_be_synced_do_not_undo_the_connection(client, person, standin):
    callback = consent(start(client))
    standin.fail_next("503", endpoint="list_boards")
    response = client.get(callback)
    connection = PinterestConnection.objects.get()
    assert response.status_code == 302 and connection.is_active
    assert "could not be synced" in str(list(get_messages(response.wsgi_request))[0])


def test_next_on_this_site_is_where_the_person_returns(client, person, standin):
    response = client.get(consent(start(client, next="/admin/publishing/blogproject/")))
    assert response["Location"] == "/admin/publishing/blogproject/"


def test_next_on_another_site_is_ignored(client, person, standin):
    response = client.get(consent(start(client, next="https://evil.example/steal")))
    connection = PinterestConnection.objects.get()
    assert response["Location"] == reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])


def test_another_tenants_project_is_a_404(client, person, standin):
    response = client.get(CONNECT, {"project": make_project().pk})
    assert response.status_code == 404


def test_connect_needs_a_signed_in_user(client, standin):
    response = client.get(CONNECT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_user_without_tenant_cannot_connect(client, standin):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("loner", password="pw-for-tests-only"))
    response = client.get(CONNECT)
    assert response.status_code == 403


def test_connect_without_a_configured_app_says_so(client, person, settings):
    settings.PINTEREST_APP_ID = ""
    response = client.get(CONNECT)
    assert response.status_code == 503
    assert "PINTEREST_APP_ID" in response.content.decode()
