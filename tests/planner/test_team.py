"""The planner under roles (issue 29): the Team page is the owners' (list, change role, remove,
the last owner kept with the rule's words); a viewer sees the pages without their write buttons
and a POST of theirs is a 403 that changes nothing."""

import pytest
from bs4 import BeautifulSoup

from apikeys.models import ApiKey
from publishing.models import Membership, PinStatus
from publishing.roles import Role
from tests.factories import make_api_key, make_article, make_pin, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    tenant = make_tenant("Bakery blog")
    project = make_project(tenant=tenant)
    pin = make_pin(project=project, article=make_article(project=project), status=PinStatus.DRAFT)
    return {
        "tenant": tenant,
        "pin": pin,
        "owner": make_user(tenant, username="olivia"),
        "editor": make_user(tenant, username="eddie", role=Role.EDITOR),
        "viewer": make_user(tenant, username="vera", role=Role.VIEWER),
    }


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_team_page_lists_each_member_with_their_role_owners_first(client, team):
    client.force_login(team["owner"])
    page = soup(client.get("/planner/team/"))
    rows = page.select("#team-members .tm-row")
    assert [(row.select_one("strong").text, row["data-role"]) for row in rows] == [
        ("olivia", "owner"), ("eddie", "editor"), ("vera", "viewer")
    ]
    assert page.select_one('nav a[aria-current="page"]').text == "Team"


def test_an_owner_changes_a_role_on_the_team_page(client, team):
    client.force_login(team["owner"])
    membership = team["viewer"].membership
    response = client.post(f"/planner/team/{membership.pk}/role/", {"role": "editor"}, follow=True)
    assert "vera is now editor." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


def test_the_last_owner_is_kept_with_the_rules_words(client, team):
    client.force_login(team["owner"])
    membership = team["owner"].membership
    response = client.post(f"/planner/team/{membership.pk}/role/", {"role": "viewer"}, follow=True)
    assert "Not changed. olivia is the last owner of Bakery blog" in response.content.decode()
    response = client.post(f"/planner/team/{membership.pk}/remove/", follow=True)
    assert "Not removed." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER


def test_an_unknown_role_changes_nothing(client, team):
    client.force_login(team["owner"])
    membership = team["viewer"].membership
    response = client.post(f"/planner/team/{membership.pk}/role/", {"role": "admin"}, follow=True)
    assert "Not changed. Choose one of: owner, editor, viewer." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.VIEWER


def test_removing_a_member_on_the_team_page_revokes_their_keys(client, team):
    key = make_api_key(team["editor"]).api_key
    client.force_login(team["owner"])
    response = client.post(f"/planner/team/{team['editor'].membership.pk}/remove/", follow=True)
    assert "eddie was removed" in response.content.decode()
    assert not Membership.objects.filter(user=team["editor"]).exists()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_another_tenants_member_is_not_found(client, team):
    stranger = make_user(make_tenant("Other"), username="stranger")
    client.force_login(team["owner"])
    assert client.post(f"/planner/team/{stranger.membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(user=stranger).exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_owners_see_the_team_link_and_page(client, team, role):
    client.force_login(team[role])
    assert client.get("/planner/team/").status_code == 403
    assert not soup(client.get("/planner/pins/")).select('a[href="/planner/team/"]')


def test_a_viewer_sees_the_pins_without_a_write_button(client, team):
    client.force_login(team["viewer"])
    pins = soup(client.get("/planner/pins/"))
    assert pins.select("#pin-cards .pl-pin-card") and not pins.select("#bulk-bar, .pl-pick-box")
    assert not pins.find("a", string="New pin")
    assert "viewer of this team" in pins.select_one("#read-only-note").text
    composer = soup(client.get(f"/planner/pins/{team['pin'].pk}/"))
    assert not composer.select("#actions button") and composer.select_one("#read-only-actions")
    calendar = soup(client.get("/planner/calendar/"))
    assert not calendar.select("[data-move], .cal-move")


def test_an_editor_keeps_every_write_button(client, team):
    client.force_login(team["editor"])
    composer = soup(client.get(f"/planner/pins/{team['pin'].pk}/"))
    assert {button["value"] for button in composer.select("#actions button")} >= {"draft", "schedule", "publish"}
    assert not soup(client.get("/planner/pins/")).select("#read-only-note")


def test_a_viewers_post_is_refused_and_changes_nothing(client, team):
    client.force_login(team["viewer"])
    pin = team["pin"]
    response = client.post(f"/planner/pins/{pin.pk}/", {"action": "draft", "title": "Changed by a viewer"})
    assert response.status_code == 403
    pin.refresh_from_db()
    assert pin.title != "Changed by a viewer"
