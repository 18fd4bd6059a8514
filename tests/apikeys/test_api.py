"""The key endpoints, and what a key does to every request: authentication, its errors, its
log line, throttling per key, one query."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.keys import key_hash
from apikeys.models import ApiKey
from apikeys.scopes import Scope
from tests.factories import api_client, make_api_key, make_board, make_connection, make_user

pytestmark = pytest.mark.django_db


def with_key(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def owner(tenant):
    return make_user(tenant)


def test_creating_a_key_answers_it_once_and_never_again(owner):
    client = api_client(owner)
    response = client.post("/api/keys/", {"name": "CI", "scopes": ["read", "publish"]}, format="json")
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    key = body["key"]
    assert body["scopes"] == ["read", "publish"] and body["owner"] == owner.username and body["is_active"]
    assert key.startswith(body["prefix"]) and ApiKey.objects.get(pk=body["id"]).hashed_key == key_hash(key)
    for url in ("/api/keys/", f"/api/keys/{body['id']}/"):
        text = client.get(url).content.decode()
        assert body["prefix"] in text and key not in text and "hashed_key" not in text
    assert with_key(key).get("/api/pins/").status_code == 200


def test_a_new_key_acts_as_its_creator_with_an_expiry_when_given(owner):
    expires = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = api_client(owner).post(
        "/api/keys/", {"name": "Temp", "scopes": ["read"], "expires_at": expires.isoformat()}, format="json"
    )
    api_key = ApiKey.objects.get(pk=response.json()["id"])
    assert api_key.owner == owner and api_key.tenant == owner.membership.tenant and api_key.expires_at == expires


def test_a_naive_or_past_expiry_and_an_unknown_scope_are_400_naming_the_field(owner):
    client = api_client(owner)
    cases = [
        ({"name": "x", "scopes": ["read"], "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"name": "x", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "scopes": ["root"]}, "scopes.0"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": " ", "scopes": ["read"]}, "name"),
    ]
    for body, field in cases:
        response = client.post("/api/keys/", body, format="json")
        assert response.status_code == 400 and field in response.json()["error"]["fields"], (body, response.content)


def test_a_key_cannot_create_a_key_with_a_scope_it_lacks(owner):
    client = api_client(owner, scopes=[Scope.READ, Scope.KEYS_WRITE])
    response = client.post("/api/keys/", {"name": "Escalate", "scopes": ["publish"]}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope" and "publish" in response.json()["error"]["message"]
    assert ApiKey.objects.filter(name="Escalate").count() == 0


def test_revoking_a_key_makes_its_next_request_fail(owner):
    target = make_api_key(owner)
    assert with_key(target.key).get("/api/pins/").status_code == 200
    response = api_client(owner).delete(f"/api/keys/{target.api_key.pk}/")
    assert response.status_code == 200 and response.json()["revoked_at"] and not response.json()["is_active"]
    refused = with_key(target.key).get("/api/pins/")
    assert refused.status_code == 401 and refused.json()["error"]["message"] == "This API key has been revoked."


def test_a_key_can_revoke_itself(owner):
    created = make_api_key(owner)
    client = with_key(created.key)
    assert client.delete(f"/api/keys/{created.api_key.pk}/").status_code == 200
    assert client.get("/api/pins/").status_code == 401


def test_an_expired_key_fails_at_once(owner):
    created = make_api_key(owner, expires_at=timezone.now() + timedelta(hours=1))
    assert with_key(created.key).get("/api/pins/").status_code == 200
    ApiKey.objects.filter(pk=created.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_key(created.key).get("/api/pins/")
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def test_another_tenants_keys_are_invisible(owner):
    theirs = make_api_key()
    client = api_client(owner)
    assert [item["prefix"] for item in client.get("/api/keys/").json()["results"]] != [theirs.api_key.prefix]
    assert theirs.api_key.prefix not in client.get("/api/keys/").content.decode()
    for method in ("get", "delete"):
        response = getattr(client, method)(f"/api/keys/{theirs.api_key.pk}/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert ApiKey.objects.get(pk=theirs.api_key.pk).revoked_at is None


def test_an_invalid_key_is_401_with_the_token_challenge():
    response = with_key("pp_" + "x" * 52).get("/api/pins/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["error"] == {
        "code": "authentication_failed", "message": "Invalid API key.", "fields": {},
    }


def test_a_refused_key_is_logged_with_its_prefix_and_the_client_address_never_the_key(owner, caplog):
    created = make_api_key(owner)
    wrong = created.key[:-4] + "AAAA"
    caplog.set_level(logging.DEBUG)
    with_key(wrong).get("/api/pins/", REMOTE_ADDR="203.0.113.9")
    (record,) = [r for r in caplog.records if r.name == "apikeys.authentication"]
    line = record.getMessage()
    assert line == f"API key refused (unknown): prefix '{created.api_key.prefix}' from 203.0.113.9"
    assert all(wrong not in r.getMessage() and created.key not in r.getMessage() for r in caplog.records)


def test_a_malformed_header_is_logged_without_any_of_it(caplog):
    caplog.set_level(logging.WARNING, logger="apikeys.authentication")
    response = APIClient(HTTP_AUTHORIZATION="Token two parts").get("/api/pins/")
    assert response.status_code == 401
    (record,) = [r for r in caplog.records if r.name == "apikeys.authentication"]
    assert record.getMessage() == "API key refused (malformed): prefix - from 127.0.0.1"


def test_each_key_has_its_own_throttle(owner, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "2/minute"}}
    busy, quiet = api_client(owner), api_client(owner)
    assert [busy.get("/api/boards/").status_code for _ in range(3)] == [200, 200, 429]
    assert quiet.get("/api/boards/").status_code == 200


def test_the_user_throttle_still_counts_every_key_of_the_user(owner, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/minute"}}
    first, second = api_client(owner), api_client(owner)
    assert [first.get("/api/boards/").status_code, second.get("/api/boards/").status_code] == [200, 200]
    assert second.get("/api/boards/").status_code == 429


def test_a_request_with_a_key_costs_one_query_for_key_owner_membership_and_tenant(owner):
    board = make_board(connection=make_connection(tenant=owner.membership.tenant))
    client = api_client(owner)
    client.get("/api/boards/")  # the key's first use is recorded (one UPDATE, then once a minute)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/boards/{board.pk}/").status_code == 200
    # The key with its owner, membership and tenant; then the board, and its sections.
    assert len(queries) == 3, [q["sql"] for q in queries]
    assert sum("apikeys_apikey" in q["sql"] for q in queries) == 1
    auth = queries[0]["sql"]
    assert "apikeys_apikey" in auth and "auth_user" in auth and "publishing_membership" in auth
    assert "publishing_tenant" in auth
