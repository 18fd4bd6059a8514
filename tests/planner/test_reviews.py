"""The planner's review (issue 29): an editor's Schedule in the composer goes to review; the review
list shows what was asked; an owner approves or sends back with a comment (shown on the pin); editors
see the list without the buttons and cannot decide; the projects' setting is an owner's; another
tenant's pin is not found."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from publishing.models import Membership, Pin, PinStatus, ReviewAction
from tests.factories import image_upload, make_article, make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection, name="Recipes")
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin", name="Kitchen",
                           requires_approval=True)
    article = make_article(project=project, url="https://www.kitchen.example/cake")
    return {"owner": make_user(tenant=tenant), "editor": make_user(tenant=tenant, role=Membership.Role.EDITOR),
            "board": board, "project": project, "article": article}


def schedule_as_editor(client, world):
    client.force_login(world["editor"])
    day = (timezone.now() + timedelta(days=2)).astimezone(BERLIN).date()
    response = client.post(reverse("planner:pin-new"), {
        "project": world["project"].pk, "article": world["article"].pk, "kind": "image", "board": world["board"].pk,
        "title": "Lemon cake", "description": "Bright and easy.", "alt_text": "A lemon cake", "action": "schedule",
        "image": image_upload(), "scheduled_at": f"{day:%Y-%m-%d}T09:30",
    }, follow=True)
    return Pin.objects.get(title="Lemon cake"), response


def test_an_editors_schedule_in_the_composer_goes_to_review_and_says_so(client, world):
    pin, response = schedule_as_editor(client, world)
    assert pin.status == PinStatus.IN_REVIEW and pin.review_action == ReviewAction.SCHEDULE
    page = response.content.decode()
    assert "Sent for review" in page and 'id="review-banner"' in page


def test_the_review_list_shows_what_was_asked_and_only_owners_get_the_buttons(client, world):
    pin, _ = schedule_as_editor(client, world)
    editor_page = client.get(reverse("planner:reviews")).content.decode()
    assert "Lemon cake" in editor_page and "Schedule for" in editor_page and 'name="approve"' not in editor_page
    client.force_login(world["owner"])
    owner_page = client.get(reverse("planner:reviews")).content.decode()
    assert 'name="approve"' in owner_page and 'name="reject"' in owner_page
    assert f"Asked by {world['editor'].username}" in owner_page
    assert str(pin.pk) in owner_page


def test_an_owner_approves_from_the_list_and_the_pin_is_scheduled_at_the_time_asked(client, world):
    pin, _ = schedule_as_editor(client, world)
    asked = pin.scheduled_at
    client.force_login(world["owner"])
    response = client.post(reverse("planner:review-approve", args=[pin.pk]), follow=True)
    assert "approved" in response.content.decode()
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at == asked and pin.reviewed_by == world["owner"]


def test_an_owner_sends_back_with_a_comment_the_editor_reads_on_the_pin(client, world):
    pin, _ = schedule_as_editor(client, world)
    client.force_login(world["owner"])
    client.post(reverse("planner:review-reject", args=[pin.pk]), {"comment": "Shorter title, please."})
    pin.refresh_from_db()
    assert pin.status == PinStatus.DRAFT and pin.review_comment == "Shorter title, please."
    client.force_login(world["editor"])
    page = client.get(reverse("planner:pin", args=[pin.pk])).content.decode()
    assert 'id="review-comment"' in page and "Shorter title, please." in page


def test_sending_back_without_a_comment_is_refused_and_the_pin_stays_in_review(client, world):
    pin, _ = schedule_as_editor(client, world)
    client.force_login(world["owner"])
    response = client.post(reverse("planner:review-reject", args=[pin.pk]), {"comment": ""}, follow=True)
    assert "not sent back" in response.content.decode()
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW


def test_an_editor_posting_approve_is_refused(client, world):
    pin, _ = schedule_as_editor(client, world)
    response = client.post(reverse("planner:review-approve", args=[pin.pk]))
    assert response.status_code == 403 and "Only an owner" in response.content.decode()
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW


def test_an_approval_the_rules_refuse_is_a_message_and_the_pin_stays_in_review(client, world):
    pin, _ = schedule_as_editor(client, world)
    Pin.objects.filter(pk=pin.pk).update(scheduled_at=timezone.now() - timedelta(days=3))
    client.force_login(world["owner"])
    response = client.post(reverse("planner:review-approve", args=[pin.pk]), follow=True)
    assert "it stays in review" in response.content.decode()
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW


def test_only_an_owner_turns_approval_off_in_the_planner(client, world):
    url = reverse("planner:project-approval", args=[world["project"].pk])
    client.force_login(world["editor"])
    client.post(url, {})
    world["project"].refresh_from_db()
    assert world["project"].requires_approval is True
    client.force_login(world["owner"])
    client.post(url, {})
    world["project"].refresh_from_db()
    assert world["project"].requires_approval is False


def test_another_tenants_pin_in_review_is_not_found_nor_listed(client, world):
    foreign = make_pin(status=PinStatus.IN_REVIEW, review_action=ReviewAction.PUBLISH, title="Not yours")
    client.force_login(world["owner"])
    assert "Not yours" not in client.get(reverse("planner:reviews")).content.decode()
    assert client.post(reverse("planner:review-approve", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("planner:review-reject", args=[foreign.pk]), {"comment": "x"}).status_code == 404
    assert Pin.objects.get(pk=foreign.pk).status == PinStatus.IN_REVIEW


def test_an_editors_move_on_the_calendar_asks_for_review_and_says_so(client, world):
    pin = make_pin(project=world["project"], board=world["board"], article=world["article"], status=PinStatus.DRAFT)
    client.force_login(world["editor"])
    day = (timezone.now() + timedelta(days=3)).astimezone(BERLIN).date()
    response = client.post(reverse("planner:calendar-move", args=[pin.pk]), {"at": f"{day:%Y-%m-%d}T10:00"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and "Sent for review" in response.json()["message"]
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW
