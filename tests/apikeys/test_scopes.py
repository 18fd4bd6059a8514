"""Every route of the API, every scope: a key with only the scope a route names gets through,
a key with any other scope gets 403 ``insufficient_scope`` naming it and changes nothing.

The table below is checked against the URL map: a new endpoint (or method) without its row
fails ``test_the_table_covers_every_route_and_method_of_the_api``. The schema states the same
scope for each operation.
"""

import re
import uuid

import pytest
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import path, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.response import Response

from apikeys.checks import check_write_scopes, view_classes
from apikeys.models import ApiKey
from apikeys.scopes import ALL_SCOPES, Scope
from pinpublisher.api import TenantApi
from pinterest.models import Board, PinterestConnection
from publishing.models import BlogArticle, BlogProject, Membership, Pin, PinStatus, PublishBatch
from tests.factories import (
    api_client,
    make_api_key,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db

R, W, P, C, K, H, M = (
    Scope.READ, Scope.PINS_WRITE, Scope.PUBLISH, Scope.CONNECTIONS_WRITE, Scope.KEYS_WRITE, Scope.WEBHOOKS_WRITE,
    Scope.MEMBERS_WRITE,
)
PIN_BODY = {"title": "New title"}

# (method, url, the scope it needs, body). Placeholders name objects of the ``world`` fixture.
# Bodies are valid where that matters; an allowed request may still be refused by the rules
# (400, 404, 409): all that counts here is that the scope check let it through.
ROUTES = [
    ("get", "/api/projects/", R, None),
    ("post", "/api/projects/", W, {"name": "New project"}),
    ("get", "/api/projects/{project}/", R, None),
    ("put", "/api/projects/{project}/", W, {"name": "Renamed"}),
    ("patch", "/api/projects/{project}/", W, {"name": "Renamed"}),
    ("delete", "/api/projects/{project}/", W, None),
    ("get", "/api/articles/", R, None),
    ("post", "/api/articles/", W, {"project": "{project}", "url": "https://blog.example.com/new"}),
    ("get", "/api/articles/{article}/", R, None),
    ("put", "/api/articles/{article}/", W, {"project": "{project}", "url": "https://blog.example.com/x"}),
    ("patch", "/api/articles/{article}/", W, {"title": "Renamed"}),
    ("delete", "/api/articles/{article}/", W, None),
    ("get", "/api/pins/", R, None),
    ("post", "/api/pins/", W, {"project": "{project}", "article": "{article}", "image_url": "https://e.example.com/i.png"}),
    ("get", "/api/pins/{pin}/", R, None),
    ("put", "/api/pins/{pin}/", W,
     {"project": "{project}", "article": "{article}", "image_url": "https://e.example.com/i.png"}),
    ("patch", "/api/pins/{pin}/", W, PIN_BODY),
    ("delete", "/api/pins/{pin}/", W, None),
    ("post", "/api/pins/{pin}/schedule/", W, {"scheduled_at": "2030-01-01T00:00:00Z"}),
    ("post", "/api/pins/{pin}/unschedule/", W, None),
    ("post", "/api/pins/{published_pin}/publish/", P, None),
    ("get", "/api/pins/{pin}/attempts/", R, None),
    ("post", "/api/pins/publish-bulk/", P, {"pin_ids": [str(uuid.UUID(int=1))]}),
    # The review (issue 29): approving may publish (publish); sending back is a pin write. The pin
    # is not in review, so an allowed request is a 409 and changes nothing.
    ("post", "/api/pins/{pin}/approve/", P, None),
    ("post", "/api/pins/{pin}/reject/", W, {"comment": "Use the other photo."}),
    ("get", "/api/publish-batches/", R, None),
    ("get", "/api/publish-batches/{batch}/", R, None),
    # Planning (publishing.api_scheduling): queues, slots, interval pinning, CSV import.
    ("post", "/api/pins/{pin}/queue/", W, None),
    ("delete", "/api/pins/{pin}/queue/", W, None),
    ("post", "/api/pins/queue/", W, {"pin_ids": [str(uuid.UUID(int=1))]}),
    ("get", "/api/projects/{project}/queue/", R, None),
    ("get", "/api/projects/{project}/slots/", R, None),
    ("put", "/api/projects/{project}/slots/", W, {"slots": [{"weekday": "monday", "time": "09:00"}]}),
    ("post", "/api/pins/{pin}/pin-to-boards/", W,
     {"boards": ["{board}"], "start_at": "2030-01-01T00:00:00Z", "interval_days": 1}),
    ("post", "/api/projects/{project}/import/", W, {}),
    ("get", "/api/connections/", R, None),
    ("get", "/api/connections/{connection}/", R, None),
    ("delete", "/api/connections/{connection}/", C, None),
    ("post", "/api/connections/{connection}/refresh/", C, None),
    ("post", "/api/connections/{connection}/sync-boards/", C, None),
    # Analytics (the analytics app): reads, and "sync now" (refused here: the connection is inactive).
    ("get", "/api/projects/{project}/analytics/", R, None),
    ("get", "/api/pins/{pin}/analytics/", R, None),
    ("post", "/api/connections/{connection}/sync-analytics/", C, None),
    # Posting times: the project has no metrics, so an allowed apply is a 409 and changes nothing.
    ("get", "/api/projects/{project}/posting-times/", R, None),
    ("post", "/api/projects/{project}/posting-times/apply/", W, None),
    # The audit trail (issue 29): read only.
    ("get", "/api/audit/", R, None),
    ("get", "/api/boards/", R, None),
    ("get", "/api/boards/{board}/", R, None),
    ("get", "/api/keys/", R, None),
    # A key can grant only scopes it has: this one asks for the one scope its caller holds.
    ("post", "/api/keys/", K, {"name": "Made by a key", "scopes": ["keys:write"]}),
    ("get", "/api/keys/{key}/", R, None),
    ("delete", "/api/keys/{key}/", K, None),
    # Webhooks (the webhooks app): ids of no endpoint and empty bodies, so an allowed request stops
    # at a 404 or a 400 and never reaches a receiver.
    ("get", "/api/webhooks/", R, None),
    ("post", "/api/webhooks/", H, {}),
    ("get", "/api/webhooks/{missing}/", R, None),
    ("patch", "/api/webhooks/{missing}/", H, {}),
    ("delete", "/api/webhooks/{missing}/", H, None),
    ("post", "/api/webhooks/{missing}/rotate-secret/", H, None),
    ("get", "/api/webhooks/{missing}/deliveries/", R, None),
    ("get", "/api/webhooks/{missing}/deliveries/{missing}/", R, None),
    ("post", "/api/webhooks/{missing}/deliveries/{missing}/redeliver/", H, None),
    # Feeds (the feeds app): an address that is refused (not http), and a feed that does not exist.
    ("get", "/api/projects/{project}/feeds/", R, None),
    ("post", "/api/projects/{project}/feeds/", W, {"url": "ftp://blog.example.com/feed"}),
    ("get", "/api/projects/{project}/feed-health/", R, None),
    ("get", "/api/feeds/{missing}/", R, None),
    ("patch", "/api/feeds/{missing}/", W, {}),
    ("delete", "/api/feeds/{missing}/", W, None),
    # Designs (the designs app): an unknown template and no picks, so nothing is drawn or made.
    ("get", "/api/projects/{project}/design-style/", R, None),
    ("patch", "/api/projects/{project}/design-style/", W, {"background_color": "not a colour"}),
    ("get", "/api/articles/{article}/designs/nothing.png", R, None),
    ("post", "/api/articles/{article}/designs/pins/", W, {}),
    # Autopilot (the autopilot app): a mode that does not exist, so nothing is changed.
    ("get", "/api/projects/{project}/autopilot/", R, None),
    ("patch", "/api/projects/{project}/autopilot/", W, {"mode": "sometimes"}),
    # Invitations and lockouts (the accounts app).
    ("get", "/api/invitations/", R, None),
    ("post", "/api/invitations/", M, {"email": "new.person@example.com", "role": "editor"}),
    ("post", "/api/invitations/{missing}/revoke/", M, None),
    ("post", "/api/members/{missing}/unlock/", M, None),
    # The team (publishing.api_members): reads need ``read``, changes ``members:write``.
    ("get", "/api/members/", R, None),
    ("get", "/api/members/{member}/", R, None),
    ("patch", "/api/members/{member}/", M, {"role": "viewer"}),
    ("delete", "/api/members/{member}/", M, None),
]
IDS = [f"{method.upper()} {url}" for method, url, _, _ in ROUTES]


@pytest.fixture
def world(standin):
    # An inactive connection: refresh and sync-boards are refused before any call to Pinterest.
    connection = make_connection(is_active=False)
    tenant = connection.tenant
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection)
    article = make_article(project=project)
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)
    published_pin = make_pin(project=project, board=board, article=article, status=PinStatus.PUBLISHED)
    batch = PublishBatch.objects.create(tenant=tenant, total=0)
    owner = make_user(tenant)
    member = make_user(tenant, role=Membership.Role.EDITOR).membership
    key = make_api_key(owner, name="Another key of the tenant").api_key
    objects = {
        "connection": connection, "board": board, "project": project, "article": article, "pin": pin,
        "published_pin": published_pin, "batch": batch, "key": key, "member": member,
    }
    return {"owner": owner, "ids": {"missing": "999999", **{name: str(obj.pk) for name, obj in objects.items()}}}


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {name: fill(item, ids) for name, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def snapshot():
    rows = {
        model.__name__: sorted(repr(model_to_dict(row)) for row in model.objects.all())
        for model in (PinterestConnection, Board, BlogProject, BlogArticle, Pin, PublishBatch, Membership)
    }
    # A key's use is recorded (last_used_at): that is not a change the request made.
    rows["ApiKey"] = sorted(repr(row) for row in ApiKey.objects.values_list("pk", "name", "scopes", "revoked_at"))
    return rows


def call(client, method, url, body):
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize("method,url,needed,body", ROUTES, ids=IDS)
def test_only_the_scope_a_route_names_lets_a_key_through(world, method, url, needed, body):
    ids = world["ids"]
    url, body = fill(url, ids), fill(body, ids)
    for scope in ALL_SCOPES:
        if scope == needed:
            continue
        client = api_client(world["owner"], scopes=[scope])
        before = snapshot()
        response = call(client, method, url, body)
        assert response.status_code == 403, (scope, response.content)
        error = response.json()["error"]
        assert error["code"] == "insufficient_scope", (scope, error)
        assert f"lacks the scope {needed}," in error["message"]
        assert snapshot() == before, scope
    response = call(api_client(world["owner"], scopes=[needed]), method, url, body)
    assert response.status_code not in (401, 403), response.content
    assert response.status_code < 500


UUID_PLACEHOLDERS = ("pin", "published_pin", "batch", "pin_id", "batch_id")


def view_and_method(method, url):
    """The view class a URL of the table (or of the schema) routes to, with the method: what the
    URL map lists. Placeholders become ids of the right shape."""
    concrete = re.sub(
        r"\{(\w+)\}", lambda m: str(uuid.UUID(int=7)) if m.group(1) in UUID_PLACEHOLDERS else "7", url
    )
    return resolve(concrete).func.view_class, method.upper()


def test_the_table_covers_every_route_and_method_of_the_api():
    routed = {
        (view_class, method.upper())
        for view_class in view_classes()
        if issubclass(view_class, TenantApi)
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(view_class, method)
    }
    assert {view_and_method(method, url) for method, url, _, _ in ROUTES} == routed


def test_the_schema_states_each_operations_scope():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    needed = {view_and_method(method, url): scope for method, url, scope, _ in ROUTES}
    stated = 0
    for api_path, item in schema["paths"].items():
        for method, operation in item.items():
            scope = needed[view_and_method(method, api_path)]
            assert operation["x-required-scope"] == scope, (method, api_path)
            assert f"API key scope: `{scope}`" in operation["description"]
            stated += 1
    assert stated == len(ROUTES)


def test_a_session_is_not_limited_by_scopes(world, client):
    client.force_login(world["owner"])
    response = client.patch(f"/api/pins/{world['ids']['pin']}/", PIN_BODY, content_type="application/json")
    assert response.status_code == 200, response.content


def test_a_key_with_every_scope_reaches_every_route(world):
    client = api_client(world["owner"])
    for method, url, _, body in ROUTES:
        response = call(client, method, fill(url, world["ids"]), fill(body, world["ids"]))
        assert response.status_code not in (401, 403) and response.status_code < 500, (method, url, response.content)


def test_head_and_options_need_read(world):
    url = f"/api/pins/{world['ids']['pin']}/"
    assert api_client(world["owner"], scopes=["publish"]).options(url).status_code == 403
    assert api_client(world["owner"], scopes=["read"]).options(url).status_code == 200
    assert api_client(world["owner"], scopes=["read"]).head(url).status_code == 200


class WritesWithoutAScope(TenantApi):
    def post(self, request):
        return Response({})


urlpatterns = [path("api/unscoped/", WritesWithoutAScope.as_view())]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_that_writes_without_naming_its_scope_fails_the_system_check():
    (error,) = check_write_scopes(None)
    assert error.id == "apikeys.E001" and "WritesWithoutAScope answers POST" in error.msg


def test_every_view_of_the_project_names_its_write_scope():
    assert check_write_scopes(None) == []
