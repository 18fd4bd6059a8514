"""The "Best times to post" card of the planner's analytics page: the suggested slots with their
evidence, or "not enough data yet, N of M pins"; "Use these as the weekly slots" makes them the
project's weekly slots through the slots service, within the member's tenant."""

from datetime import time

import pytest
from django.test import override_settings

from publishing.models import PostingSlot
from tests.analytics.test_posting_times import fill
from tests.factories import make_board, make_connection, make_project, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("suggest_settings")]

PAGE = "/planner/analytics/"


@pytest.fixture
def suggest_settings():
    with override_settings(ANALYTICS_SUGGEST_MIN_PINS=2, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=4, ANALYTICS_SUGGEST_SLOTS=2):
        yield


@pytest.fixture
def world(tenant, client):
    connection = make_connection(tenant=tenant)
    project = make_project(tenant=tenant, connection=connection, name="Kitchen", timezone="UTC")
    fill(project, make_board(connection=connection), [(0, 9, [4, 6], 1), (1, 18, [8, 10], 0), (2, 12, [1, 1], 0)])
    PostingSlot.objects.create(project=project, weekday=6, local_time=time(7))
    client.force_login(make_user(tenant=tenant))
    return {"project": project, "client": client}


def use_url(project):
    return f"/planner/analytics/projects/{project.pk}/posting-times/"


def test_the_card_shows_the_suggested_slots_with_their_evidence(world):
    html = world["client"].get(PAGE, {"project": world["project"].pk}).content.decode()

    assert "Best times to post" in html
    assert html.index("Tuesday 18:00") < html.index("Monday 09:00")
    assert "2 pins · 9.0 outbound clicks and 0.0 saves per pin" in html
    assert "Wednesday 12:00" not in html  # not among the best two
    assert 'id="an-use-slots"' in html


def test_below_the_minimum_the_card_says_not_enough_data_yet_with_the_count(world):
    with override_settings(ANALYTICS_SUGGEST_MIN_TOTAL_PINS=20):
        html = world["client"].get(PAGE, {"project": world["project"].pk}).content.decode()

    assert "Not enough data yet: 6 of 20 pins with metrics" in html
    assert 'id="an-use-slots"' not in html


def test_use_these_makes_them_the_weekly_slots_and_says_so(world):
    project = world["project"]
    response = world["client"].post(use_url(project), {"days": "90"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{PAGE}?project={project.pk}&days=90"
    assert "are now Monday 09:00, Tuesday 18:00" in response.content.decode()
    assert list(PostingSlot.objects.filter(project=project).values_list("weekday", "local_time")) == [
        (0, time(9)), (1, time(18)),
    ]


def test_use_these_without_enough_data_leaves_the_slots_and_says_why(world):
    with override_settings(ANALYTICS_SUGGEST_MIN_TOTAL_PINS=20):
        response = world["client"].post(use_url(world["project"]), follow=True)

    assert "Weekly slots unchanged. Not enough data yet: 6 of 20 pins" in response.content.decode()
    assert PostingSlot.objects.filter(project=world["project"]).count() == 1


def test_another_tenants_project_cannot_be_given_slots(world):
    other = make_project(tenant=make_connection().tenant)

    assert world["client"].post(use_url(other)).status_code == 404
    assert world["client"].get(use_url(world["project"])).status_code == 405
    assert not PostingSlot.objects.filter(project=other).exists()
