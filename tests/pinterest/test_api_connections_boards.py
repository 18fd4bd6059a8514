"""The connections and boards API (read-only), and that no answer ever carries a token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing.models import PinStatus
from tests.factories import (
    image_upload,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
)

pytestmark = pytest.mark.django_db



def test_connection_shows_its_health_and_never_its_tokens(tenant_api, tenant):
    expires = timezone.now() + timedelta(days=20)
    connection = make_connection(tenant=tenant, username="cook", access_token_expires_at=expires,
                                 last_error="Token refresh failed: 401")
    make_board(connection=connection)
    make_board(connection=connection, is_archived=True)
    body = tenant_api.get(f"/api/connections/{connection.pk}/").json()
    assert set(body) == {
        "id", "username", "pinterest_user_id", "is_active", "access_token_expires_at",
        "refresh_token_expires_at", "scopes", "last_error", "last_refreshed_at", "board_count",
        "has_access_token", "has_refresh_token", "created_at",
        "health", "health_detail", "last_error_at", "refresh_failing_since", "next_refresh_at", "spam_blocked_until",
    }
    assert body["username"] == "cook" and body["board_count"] == 1
    assert body["scopes"] == ["boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read"]
    assert body["has_access_token"] is True and body["has_refresh_token"] is True
    assert body["last_error"] == "Token refresh failed: 401"
    assert "_secret" not in str(body)


def test_connection_without_tokens_says_so(tenant_api, tenant):
    connection = make_connection(tenant=tenant, access_token="", refresh_token="", is_active=False)
    body = tenant_api.get(f"/api/connections/{connection.pk}/").json()
    assert (body["has_access_token"], body["has_refresh_token"], body["is_active"]) == (False, False, False)


def test_connections_list_is_paginated(tenant_api, tenant):
    make_connection(tenant=tenant)
    make_connection(tenant=tenant)
    body = tenant_api.get("/api/connections/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1


def test_connections_are_read_only_here(tenant_api, tenant):
    connection = make_connection(tenant=tenant)
    assert tenant_api.post("/api/connections/", {}, format="json").status_code == 405
    assert tenant_api.patch(f"/api/connections/{connection.pk}/", {}, format="json").status_code == 405


def test_boards_list_filters_by_connection_and_archived(tenant_api, tenant):
    first, second = make_connection(tenant=tenant), make_connection(tenant=tenant)
    board = make_board(connection=first, name="A")
    archived = make_board(connection=first, name="B", is_archived=True)
    make_board(connection=second, name="C")
    assert tenant_api.get("/api/boards/").json()["count"] == 3
    listed = tenant_api.get(f"/api/boards/?connection={first.pk}").json()["results"]
    assert [b["id"] for b in listed] == [board.pk, archived.pk]
    assert listed[0] | {"synced_at": None} == {
        "id": board.pk, "connection": first.pk, "pinterest_board_id": board.pinterest_board_id, "name": "A",
        "description": "", "privacy": "PUBLIC", "is_archived": False, "synced_at": None, "sections": [],
    }
    only_archived = tenant_api.get(f"/api/boards/?connection={first.pk}&is_archived=true").json()["results"]
    assert [b["id"] for b in only_archived] == [archived.pk]
    response = tenant_api.get("/api/boards/?connection=first")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["connection"]


def test_boards_are_read_only(tenant_api, tenant):
    board = make_board(connection=make_connection(tenant=tenant))
    assert tenant_api.delete(f"/api/boards/{board.pk}/").status_code == 405


def test_no_response_of_any_endpoint_contains_a_token(tenant_api, tenant):
    """Factories give every connection tokens containing "_secret": no body may show one."""
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection)
    article = make_article(project=project)
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)
    make_connection()  # another tenant's, too

    responses = [
        tenant_api.get(url)
        for url in (
            "/api/connections/", f"/api/connections/{connection.pk}/", "/api/boards/", f"/api/boards/{board.pk}/",
            "/api/projects/", f"/api/projects/{project.pk}/", "/api/articles/", f"/api/articles/{article.pk}/",
            "/api/pins/", f"/api/pins/{pin.pk}/", "/api/schema/", "/api/connections/999999/",
        )
    ]
    responses += [
        tenant_api.post("/api/projects/", {"name": "New", "pinterest_connection": connection.pk}, format="json"),
        tenant_api.patch(f"/api/projects/{project.pk}/", {"pinterest_connection": connection.pk}, format="json"),
        tenant_api.post("/api/pins/", {"project": project.pk, "article": article.pk, "board": board.pk,
                                   "image": image_upload()}, format="multipart"),
        tenant_api.patch(f"/api/pins/{pin.pk}/", {"board": board.pk}, format="json"),
        tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-01-01T00:00:00Z"}, format="json"),
        tenant_api.post(f"/api/pins/{pin.pk}/unschedule/"),
    ]
    assert all(r.status_code < 500 for r in responses)
    assert [r.status_code for r in responses[-6:]] == [201, 200, 201, 200, 200, 200]
    for response in responses:
        assert b"_secret" not in response.content, response.request["PATH_INFO"]
