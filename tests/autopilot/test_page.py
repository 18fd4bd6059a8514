"""The planner's Autopilot page: every member reads it, a viewer's POST is a 403, another tenant's
project is a 404, and a save goes through the service (its refusal shown on the field, a 400)."""

import pytest

from autopilot.models import AutopilotRule
from publishing.models import Membership
from tests.factories import make_board, make_connection, make_project, make_user

pytestmark = pytest.mark.django_db

URL = "/planner/autopilot/"


@pytest.fixture
def project():
    connection = make_connection()
    make_board(connection=connection, name="Soups")
    return make_project(tenant=connection.tenant, connection=connection, name="Lemon kitchen")


def signed_in(client, project, role):
    client.force_login(make_user(tenant=project.tenant, role=role))
    return client


def test_a_viewer_reads_the_page_but_cannot_save(client, project):
    client = signed_in(client, project, Membership.Role.VIEWER)
    page = client.get(URL)
    assert page.status_code == 200 and "Lemon kitchen" in page.content.decode()
    assert "Save autopilot" not in page.content.decode()
    assert client.post(URL, {"project": project.pk, "mode": "queue"}).status_code == 403
    assert not AutopilotRule.objects.exists()


def test_an_editor_saves_the_rule_with_keyword_lines(client, project):
    client = signed_in(client, project, Membership.Role.EDITOR)
    answer = client.post(URL, {"project": project.pk, "mode": "drafts", "pins_per_article": "3",
                               "board_choice": "keywords", "start_after_minutes": "5", "interval_minutes": "60",
                               "keyword_rules": "Stew, soup: soups", "templates": ["split"]})
    assert answer.status_code == 302
    rule = AutopilotRule.objects.get(project=project)
    assert (rule.mode, rule.pins_per_article, rule.templates) == ("drafts", 3, ["split"])
    assert rule.keyword_rules[0]["keywords"] == ["Stew", "soup"]


def test_a_refused_value_is_shown_on_its_field_and_nothing_is_saved(client, project):
    client = signed_in(client, project, Membership.Role.OWNER)
    answer = client.post(URL, {"project": project.pk, "mode": "queue", "pins_per_article": "40",
                               "board_choice": "all", "start_after_minutes": "5", "interval_minutes": "60"})
    assert answer.status_code == 400
    assert "A whole number from 1 to 8" in answer.content.decode()
    assert not AutopilotRule.objects.exists()


def test_another_tenants_project_is_not_found(client, project):
    client = signed_in(client, project, Membership.Role.OWNER)
    other = make_project(name="Not yours")
    assert client.post(URL, {"project": other.pk, "mode": "queue"}).status_code == 404
    assert "Not yours" not in client.get(URL).content.decode()
