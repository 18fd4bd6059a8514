"""The posting-times endpoints: the suggestion with its evidence (read scope), applying it to the
project's weekly slots (the slots endpoint's scope), tenant-scoped, refused without evidence."""

from datetime import time

import pytest
from django.test import override_settings

from publishing.models import PostingSlot
from tests.analytics.test_posting_times import fill
from tests.factories import api_client, make_board, make_connection, make_project, make_user

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("settings_for_posting_times")]


@pytest.fixture
def settings_for_posting_times():
    with override_settings(ANALYTICS_SUGGEST_MIN_PINS=2, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=4, ANALYTICS_SUGGEST_SLOTS=2):
        yield


@pytest.fixture
def world():
    connection = make_connection()
    project = make_project(tenant=connection.tenant, connection=connection, timezone="Europe/Paris")
    board = make_board(connection=connection)
    fill(project, board, [(0, 8, [4, 6], 1), (1, 17, [8, 10], 0), (2, 11, [1, 1], 0)])  # UTC: +1 h in Paris
    PostingSlot.objects.create(project=project, weekday=6, local_time=time(7))
    return {"project": project, "owner": make_user(connection.tenant)}


def url(project, apply=False):
    return f"/api/projects/{project.pk}/posting-times/" + ("apply/" if apply else "")


def test_the_suggestion_comes_with_its_evidence_in_the_projects_zone(world):
    response = api_client(world["owner"], scopes=["read"]).get(url(world["project"]))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["enough_data"] is True and body["pins"] == 6 and body["timezone"] == "Europe/Paris"
    assert body["suggested"] == [
        {"weekday": "tuesday", "time": "18:00", "pins": 2, "mean_outbound_clicks": 9.0, "mean_saves": 0.0},
        {"weekday": "monday", "time": "09:00", "pins": 2, "mean_outbound_clicks": 5.0, "mean_saves": 1.0},
    ]
    assert len(body["cells"]) == 3


def test_applying_makes_the_suggestion_the_projects_weekly_slots(world):
    response = api_client(world["owner"], scopes=["pins:write"]).post(url(world["project"], apply=True))

    assert response.status_code == 200, response.content
    assert response.json()["slots"] == [{"weekday": "monday", "time": "09:00"}, {"weekday": "tuesday", "time": "18:00"}]
    assert list(PostingSlot.objects.filter(project=world["project"]).values_list("weekday", "local_time")) == [
        (0, time(9)), (1, time(18)),
    ]


def test_applying_without_enough_data_is_a_409_and_the_slots_stay(world):
    with override_settings(ANALYTICS_SUGGEST_MIN_TOTAL_PINS=50):
        response = api_client(world["owner"]).post(url(world["project"], apply=True))
        shown = api_client(world["owner"]).get(url(world["project"])).json()

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_enough_data"
    assert "6 of 50 pins" in response.json()["error"]["message"]
    assert shown["enough_data"] is False and shown["suggested"] == []
    assert list(PostingSlot.objects.filter(project=world["project"]).values_list("weekday", "local_time")) == [
        (6, time(7)),
    ]


def test_another_tenants_project_is_a_404_and_its_slots_stay(world):
    stranger = make_user(make_connection().tenant)

    assert api_client(stranger).get(url(world["project"])).status_code == 404
    assert api_client(stranger).post(url(world["project"], apply=True)).status_code == 404
    assert PostingSlot.objects.filter(project=world["project"]).count() == 1


def test_applying_needs_the_slots_scope(world):
    response = api_client(world["owner"], scopes=["read"]).post(url(world["project"], apply=True))

    assert response.status_code == 403
    assert PostingSlot.objects.filter(project=world["project"]).count() == 1
