"""The team (issue 29): list members, change a role, remove a member; the last owner stays; a
removed member's keys and sessions end; only owners reach it."""

import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from pinpublisher.errors import InvalidRequest
from publishing.models import Membership
from publishing.roles import Role
from publishing.services.members import member_remove, member_role_change
from tests.factories import api_client, make_api_key, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    tenant = make_tenant("Blog team")
    owner = make_user(tenant, username="olivia")
    editor = make_user(tenant, username="eddie", role=Role.EDITOR)
    viewer = make_user(tenant, username="vera", role=Role.VIEWER)
    return {"tenant": tenant, "owner": owner, "editor": editor, "viewer": viewer}


def test_members_are_listed_owners_first_then_editors_then_viewers(team):
    response = api_client(team["owner"]).get("/api/members/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["username"], row["role"]) for row in rows] == [
        ("olivia", "owner"), ("eddie", "editor"), ("vera", "viewer")
    ]
    assert rows[2]["actions"] == ["read"]


def test_another_tenants_members_are_neither_listed_nor_found(team):
    stranger = make_user(make_tenant("Other"), username="stranger")
    response = api_client(team["owner"]).get("/api/members/")
    assert "stranger" not in {row["username"] for row in response.json()["results"]}
    response = api_client(team["owner"]).patch(
        f"/api/members/{stranger.membership.pk}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 404
    assert Membership.objects.get(user=stranger).role == Role.OWNER


def test_an_owner_changes_a_members_role_and_it_applies_to_their_next_request(team):
    editor_client = api_client(team["editor"])
    assert editor_client.post("/api/projects/", {"name": "Before"}, format="json").status_code == 201
    response = api_client(team["owner"]).patch(
        f"/api/members/{team['editor'].membership.pk}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "viewer"
    refused = editor_client.post("/api/projects/", {"name": "After"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids"


def test_an_unknown_role_is_a_400_naming_the_field(team):
    response = api_client(team["owner"]).patch(
        f"/api/members/{team['viewer'].membership.pk}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 400 and "role" in response.json()["error"]["fields"]


def test_the_last_owner_can_be_neither_demoted_nor_removed(team):
    owner_membership = team["owner"].membership
    client = api_client(team["owner"])
    demoted = client.patch(f"/api/members/{owner_membership.pk}/", {"role": "editor"}, format="json")
    assert demoted.status_code == 400
    assert demoted.json()["error"]["code"] == "last_owner"
    assert "last owner" in demoted.json()["error"]["fields"]["role"][0]
    removed = client.delete(f"/api/members/{owner_membership.pk}/")
    assert removed.status_code == 400 and removed.json()["error"]["code"] == "last_owner"
    assert Membership.objects.get(pk=owner_membership.pk).role == Role.OWNER


def test_an_inactive_owner_does_not_count_as_the_owner_that_stays(team):
    make_user(team["tenant"], username="gone", is_active=False)
    with pytest.raises(InvalidRequest):
        member_role_change(tenant=team["tenant"], membership_id=team["owner"].membership.pk, role=Role.VIEWER)


def test_with_a_second_owner_an_owner_may_step_down(team):
    make_user(team["tenant"], username="second")
    member = member_role_change(tenant=team["tenant"], membership_id=team["owner"].membership.pk, role=Role.EDITOR)
    assert member.role == Role.EDITOR


def test_removing_a_member_revokes_their_keys_and_ends_their_sessions(team):
    editor = team["editor"]
    key = make_api_key(editor)
    browser = Client()
    browser.force_login(editor)
    other = Client()
    other.force_login(team["owner"])
    assert browser.get("/planner/pins/").status_code == 200

    response = api_client(team["owner"]).delete(f"/api/members/{editor.membership.pk}/")

    assert response.status_code == 204
    assert not Membership.objects.filter(user=editor).exists()
    assert ApiKey.objects.get(pk=key.api_key.pk).revoked_at is not None
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Token {key.key}")
    assert key_client.get("/api/projects/").status_code == 401
    assert browser.get("/planner/pins/").status_code == 302  # to the login page
    assert other.get("/planner/pins/").status_code == 200  # the owner's session stays
    assert Session.objects.count() == 1


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_only_owners_reach_the_team(team, role):
    user = team["editor"] if role == Role.EDITOR else team["viewer"]
    client = api_client(user)
    assert client.get("/api/members/").status_code == 403
    response = client.patch(f"/api/members/{team['viewer'].membership.pk}/", {"role": "owner"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "role_forbids"
    assert client.delete(f"/api/members/{team['owner'].membership.pk}/").status_code == 403
    assert Membership.objects.filter(role=Role.OWNER).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    tenant = make_tenant("Race")
    first, second = make_user(tenant, username="first"), make_user(tenant, username="second")
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(user):
        barrier.wait()
        try:
            member_role_change(tenant=tenant, membership_id=user.membership.pk, role=Role.EDITOR)
            outcomes.append("demoted")
        except InvalidRequest:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=demote, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Membership.objects.filter(tenant=tenant, role=Role.OWNER).count() == 1


def test_removing_an_id_of_another_tenant_is_not_found(team):
    stranger = make_user(make_tenant("Elsewhere"), username="x")
    with pytest.raises(Membership.DoesNotExist):
        member_remove(tenant=team["tenant"], membership_id=stranger.membership.pk)
