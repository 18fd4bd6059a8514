"""GET and PATCH /api/projects/{id}/autopilot/: tenant-scoped, 400 naming the field, in the schema."""

import pytest

from autopilot.models import AutopilotRule
from tests.factories import api_client, make_board, make_connection, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_project():
    connection = make_connection()
    project = make_project(connection=connection)
    board = make_board(connection=connection)
    return make_user(tenant=project.tenant), project, board


def test_a_project_without_a_rule_reads_as_off(owner_project):
    user, project, _ = owner_project
    answer = api_client(user).get(f"/api/projects/{project.pk}/autopilot/")
    assert answer.status_code == 200
    assert answer.json()["mode"] == "off" and answer.json()["active_since"] is None


def test_patch_sets_the_rule_and_turning_it_on_starts_its_clock(owner_project):
    user, project, board = owner_project
    answer = api_client(user).patch(f"/api/projects/{project.pk}/autopilot/", {
        "mode": "queue", "board_choice": "keywords", "pins_per_article": 2,
        "keyword_rules": [{"keywords": ["stew"], "board_id": board.pk}], "utm_source": "pinterest",
    }, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["keyword_rules"] == [{"keywords": ["stew"], "board_id": board.pk}]
    assert answer.json()["active_since"]
    assert AutopilotRule.objects.get(project=project).utm_source == "pinterest"


@pytest.mark.parametrize("body, field", [
    ({"mode": "sometimes"}, "mode"),
    ({"pins_per_article": 100}, "pins_per_article"),
    ({"templates": ["nope"]}, "templates"),
    # Values of the wrong JSON type (found by the schema fuzzer: a dict in the list was a 500).
    ({"templates": [{}]}, "templates"),
    ({"mode": {}}, "mode"),
    ({"board_choice": ["all"]}, "board_choice"),
    ({"mode": "queue", "board_choice": "list", "board_ids": []}, "board_ids"),
    ({"mode": "queue", "board_choice": "list", "board_ids": [999999]}, "board_ids"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(owner_project, body, field):
    user, project, _ = owner_project
    answer = api_client(user).patch(f"/api/projects/{project.pk}/autopilot/", body, format="json")
    assert answer.status_code == 400
    assert field in str(answer.json())
    assert not AutopilotRule.objects.filter(project=project).exists()


def test_another_tenants_project_is_a_404(owner_project):
    user, _, _ = owner_project
    other = make_project()
    client = api_client(user)
    assert client.get(f"/api/projects/{other.pk}/autopilot/").status_code == 404
    assert client.patch(f"/api/projects/{other.pk}/autopilot/", {"mode": "queue"}, format="json").status_code == 404
    assert not AutopilotRule.objects.exists()
