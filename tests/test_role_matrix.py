"""Every route of the API and the planner, every role (issue 29): an owner, an editor and a viewer
signed in, and an API key made by each (with every scope: what it can do is its owner's role),
and the answer each gets. A refused request is a 403 and changes nothing; an allowed one gets
past the role check (it may still be refused by the rules: 400, 404, 409).

The expectations are written here, not read from ``publishing.roles``: the API's routes come from
the scope table (``tests/apikeys/test_scopes.py``, checked against the URL map there and here),
each scope's roles from ``ROLES_OF_SCOPE`` (a route whose role differs from its scope in
``ROLE_OVERRIDES``); the planner's routes are listed in ``PLANNER_ROUTES``, checked against the
planner's URLconf. A new route fails ``test_every_route_is_classified`` until it has its row.
``test_the_matrix_is_written_for_the_closing_note`` writes the table to ``artifacts/role-matrix.md``.
"""

from pathlib import Path

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from apikeys.checks import view_classes
from pinpublisher.api import TenantApi
from publishing.models import Membership
from publishing.roles import Role
from tests.apikeys import test_scopes
from tests.apikeys.test_scopes import ROUTES, call, fill, snapshot, view_and_method
from tests.factories import api_client, make_user

pytestmark = pytest.mark.django_db

# The scope test's world: a tenant with a project, an article, pins, a batch, a key and a member.
world = test_scopes.world

OWNER, EDITOR, VIEWER = Role.OWNER, Role.EDITOR, Role.VIEWER
ROLES_OF_SCOPE = {
    "read": {OWNER, EDITOR, VIEWER},
    "pins:write": {OWNER, EDITOR},
    "publish": {OWNER, EDITOR},
    "connections:write": {OWNER},
    "keys:write": {OWNER},
    "webhooks:write": {OWNER},
    "members:write": {OWNER},
}
# Routes whose roles are not their scope's: the team is the owners' even to read.
# Approving and sending back are the owners' (publishing.roles.approves), whatever the scope; so
# are the invitations and the lockouts (the accounts app).
ROLE_OVERRIDES = {
    ("get", "/api/members/"): {OWNER},
    ("get", "/api/members/{member}/"): {OWNER},
    ("post", "/api/pins/{pin}/approve/"): {OWNER},
    ("post", "/api/pins/{pin}/reject/"): {OWNER},
    ("get", "/api/invitations/"): {OWNER},
}

# The planner (sessions only): (method, url name, url, the roles it lets through, body). None for
# the roles: open to anyone (the login page, logging out, the home that redirects).
ANY = {OWNER, EDITOR, VIEWER}
WRITERS = {OWNER, EDITOR}
PLANNER_ROUTES = [
    ("get", "home", "/planner/", ANY, None),
    ("get", "login", "/planner/login/", None, None),
    ("post", "logout", "/planner/logout/", None, {}),
    ("get", "pins", "/planner/pins/", ANY, None),
    ("get", "pin-new", "/planner/pins/new/", ANY, None),
    ("post", "pin-new", "/planner/pins/new/", WRITERS, {"action": "draft"}),
    ("get", "pin", "/planner/pins/{pin}/", ANY, None),
    ("post", "pin", "/planner/pins/{pin}/", WRITERS, {"action": "draft"}),
    ("post", "pin-retry", "/planner/pins/{pin}/retry/", WRITERS, {}),
    ("post", "pins-apply", "/planner/pins/selected/", WRITERS, {"action": "queue", "pins": ["{pin}"]}),
    ("get", "bulk", "/planner/bulk/", ANY, None),
    ("post", "bulk", "/planner/bulk/", WRITERS, {}),
    ("get", "calendar", "/planner/calendar/", ANY, None),
    ("post", "calendar-move", "/planner/calendar/pins/{pin}/move/", WRITERS, {"at": "2030-01-01T09:00"}),
    ("get", "analytics", "/planner/analytics/", ANY, None),
    ("post", "analytics-sync", "/planner/analytics/projects/{project}/sync/", {OWNER}, {}),
    ("post", "analytics-posting-times", "/planner/analytics/projects/{project}/posting-times/", WRITERS, {}),
    ("get", "project", "/planner/projects/{project}/", ANY, None),
    ("get", "reviews", "/planner/reviews/", ANY, None),
    ("post", "review-approve", "/planner/reviews/{pin}/approve/", {OWNER}, {}),
    ("post", "review-reject", "/planner/reviews/{pin}/reject/", {OWNER}, {"comment": "Not yet"}),
    ("post", "project-approval", "/planner/projects/{project}/approval/", {OWNER}, {"requires_approval": "on"}),
    ("get", "designs", "/planner/designs/", ANY, None),
    ("get", "article-designs", "/planner/articles/{article}/designs/", ANY, None),
    ("get", "design-png", "/planner/articles/{article}/designs/nothing.png", ANY, None),
    ("post", "design-pins", "/planner/articles/{article}/designs/pins/", WRITERS, {}),
    ("post", "design-style", "/planner/projects/{project}/design-style/", WRITERS, {}),
    ("get", "team", "/planner/team/", {OWNER}, None),
    ("post", "team-role", "/planner/team/{member}/role/", {OWNER}, {"role": "viewer"}),
    ("post", "team-remove", "/planner/team/{member}/remove/", {OWNER}, {}),
]


def api_roles(method, url, scope):
    return ROLE_OVERRIDES.get((method, url), ROLES_OF_SCOPE[scope])


@pytest.fixture
def people(world):
    tenant = world["owner"].membership.tenant
    return {
        OWNER: world["owner"],
        EDITOR: make_user(tenant, role=EDITOR),
        VIEWER: make_user(tenant, role=VIEWER),
    }


def clients(people):
    """(who, role, client) for each role's session and each role's key."""
    for role, user in people.items():
        session = APIClient()
        session.force_login(user)
        yield f"{role} (session)", role, session
        yield f"{role}'s key", role, api_client(user)


def check(who, response, allowed, before, after):
    if allowed:
        assert response.status_code not in (401, 403), (who, response.status_code, response.content[:300])
        assert response.status_code < 500, (who, response.content[:300])
    else:
        assert response.status_code == 403, (who, response.status_code, response.content[:300])
        assert after == before, who


@pytest.mark.parametrize("method,url,scope,body", ROUTES, ids=[f"{m.upper()} {u}" for m, u, _, _ in ROUTES])
def test_each_role_and_its_key_get_the_api_answer_the_matrix_gives(world, people, method, url, scope, body):
    allowed_roles = api_roles(method, url, scope)
    # The refused first: what they leave unchanged is what the allowed find.
    for who, role, client in sorted(clients(people), key=lambda entry: entry[1] in allowed_roles):
        before = snapshot()
        response = call(client, method, fill(url, world["ids"]), fill(body, world["ids"]))
        check(who, response, role in allowed_roles, before, snapshot())
        if role not in allowed_roles:
            assert response.json()["error"]["code"] == "role_forbids", who


@pytest.mark.parametrize(
    "method,name,url,roles,body", PLANNER_ROUTES, ids=[f"{r[0].upper()} {r[2]}" for r in PLANNER_ROUTES]
)
def test_each_role_gets_the_planner_answer_the_matrix_gives(world, people, client, method, name, url, roles, body):
    ids = world["ids"]
    for role in sorted(people, key=lambda role: roles is None or role in roles):
        client.force_login(people[role])
        before = snapshot()
        response = getattr(client, method)(fill(url, ids), fill(body, ids))
        allowed = roles is None or role in roles
        check(f"{role} (session)", response, allowed, before, snapshot())
        client.logout()


def planner_route_names():
    (planner,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "planner"]
    return {pattern.name for pattern in planner.url_patterns}


def test_every_route_is_classified():
    routed = {
        (view_class, method.upper())
        for view_class in view_classes()
        if issubclass(view_class, TenantApi)
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(view_class, method)
    }
    assert {view_and_method(method, url) for method, url, _, _ in ROUTES} == routed
    assert {name for _, name, _, _, _ in PLANNER_ROUTES} == planner_route_names()
    assert set(ROLES_OF_SCOPE) >= {scope for _, _, scope, _ in ROUTES}


def test_an_editors_key_with_every_scope_still_cannot_manage_keys_or_the_team(people):
    key_client = api_client(people[EDITOR])  # every scope, members:write and keys:write included
    refused = key_client.post("/api/keys/", {"name": "More", "scopes": ["read"]}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids"
    assert key_client.get("/api/members/").status_code == 403
    assert key_client.get("/api/pins/").status_code == 200


def matrix_markdown():
    """The matrix, one row per route: what each role's session and each role's key get."""
    def cell(allowed):
        return "allowed" if allowed else "403"

    lines = [
        "| route | owner | editor | viewer | key of owner | key of editor | key of viewer |",
        "|---|---|---|---|---|---|---|",
    ]
    for method, url, scope, _ in ROUTES:
        roles = api_roles(method, url, scope)
        row = [cell(role in roles) for role in (OWNER, EDITOR, VIEWER)]
        lines.append(f"| {method.upper()} {url} (`{scope}`) | " + " | ".join(row + row) + " |")
    for method, _, url, roles, _ in PLANNER_ROUTES:
        row = ["open" if roles is None else cell(role in roles) for role in (OWNER, EDITOR, VIEWER)]
        lines.append(f"| {method.upper()} {url} | " + " | ".join(row) + " | n/a (sessions) | n/a | n/a |")
    return "\n".join(lines) + "\n"


def test_the_matrix_is_written_for_the_closing_note():
    path = Path(__file__).resolve().parent.parent / "artifacts" / "role-matrix.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(matrix_markdown())
    assert path.read_text().count("\n") == len(ROUTES) + len(PLANNER_ROUTES) + 2


def test_roles_of_a_membership_are_owner_editor_viewer():
    assert Membership.Role.values == ["owner", "editor", "viewer"]
