"""The planner's History (issue 29): a pin's page and a project's page list their events, within
the member's tenant only; a board is named, a secret never shown."""

import pytest
from django.urls import reverse

from publishing.services.content import pin_update, project_update
from tests.factories import make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, tenant):
    client.force_login(make_user(tenant, username="maria"))
    return client


def test_a_pins_page_shows_who_changed_what_with_the_board_named(member, tenant):
    connection = make_connection(tenant=tenant)
    old, new = make_board(connection=connection, name="Cakes"), make_board(connection=connection, name="Tarts")
    pin = make_pin(project=make_project(tenant=tenant, connection=connection), board=old, status="draft")
    pin_update(pin=pin, data={"board_id": new.pk})

    page = member.get(reverse("planner:pin", args=[pin.pk])).content.decode()

    assert 'id="pin-history"' in page
    assert "pytest" in page and "Cakes" in page and "Tarts" in page


def test_a_projects_page_shows_its_history_and_another_tenants_is_404(member, tenant):
    project = make_project(tenant=tenant, name="Blog")
    project_update(project=project, data={"name": "Food blog"})

    page = member.get(reverse("planner:project", args=[project.pk])).content.decode()

    assert 'id="project-history"' in page and "Blog" in page and "Food blog" in page
    assert member.get(reverse("planner:project", args=[make_project().pk])).status_code == 404


def test_a_page_with_no_events_says_so(member, tenant):
    page = member.get(reverse("planner:project", args=[make_project(tenant=tenant).pk])).content.decode()
    assert "No changes recorded yet." in page
