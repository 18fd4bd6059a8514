"""Approvals (issue 29) through the API: an editor's schedule, queue and publish wait in review in a
project whose pins need approval; an owner approves (the asked action, through the usual rules) or
sends the pin back with a comment; owners hear by email and by webhook events."""

from datetime import time as clock
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from publishing.models import Membership, Pin, PinStatus, PostingSlot, ReviewAction
from tests.factories import api_client, make_article, make_board, make_connection, make_pin, make_project, make_user
from tests.publishing.helpers import create_calls, standin_pins
from webhooks.models import Event
from webhooks.services.endpoints import endpoint_create

pytestmark = pytest.mark.django_db
EDITOR = Membership.Role.EDITOR


@pytest.fixture
def team(tenant):
    """A project whose pins need approval, a draft pin of it, an owner (with an email) and an editor."""
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection, requires_approval=True)
    pin = make_pin(project=project, board=board, article=make_article(project=project), status=PinStatus.DRAFT)
    owner = make_user(tenant, email="owner@example.com")
    editor = make_user(tenant, role=EDITOR, email="editor@example.com")
    return pin, api_client(owner), api_client(editor), editor


def later(hours=2):
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def test_an_editors_schedule_puts_the_pin_in_review_with_the_time_asked_and_who_asked(team):
    pin, _owner, editor_api, editor = team
    at = later()
    response = editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": at.isoformat()}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_review"
    assert body["review"]["action"] == "schedule" and body["review"]["requested_by"] == editor.pk
    pin.refresh_from_db()
    assert pin.status == PinStatus.IN_REVIEW and pin.scheduled_at == at and pin.review_requested_by == editor


def test_the_owners_review_list_has_the_pin_and_the_approval_schedules_it_at_the_time_asked(team):
    pin, owner_api, editor_api, _editor = team
    at = later()
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": at.isoformat()}, format="json")
    waiting = owner_api.get("/api/pins/?status=in_review").json()["results"]
    assert [item["id"] for item in waiting] == [str(pin.pk)]
    response = owner_api.post(f"/api/pins/{pin.pk}/approve/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ready_to_schedule" and response.json()["review"]["action"] is None
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at == at and pin.reviewed_at is not None


def test_the_owner_sends_the_pin_back_to_draft_with_a_comment_on_it(team):
    pin, owner_api, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    response = owner_api.post(f"/api/pins/{pin.pk}/reject/", {"comment": "Use the summer image."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["review"]["comment"] == "Use the summer image."
    # The editor sees the comment on the pin.
    assert editor_api.get(f"/api/pins/{pin.pk}/").json()["review"]["comment"] == "Use the summer image."


def test_sending_back_without_a_comment_is_400_naming_comment_and_the_pin_stays_in_review(team):
    pin, owner_api, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    response = owner_api.post(f"/api/pins/{pin.pk}/reject/", {"comment": "   "}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["error"]["fields"]
    pin.refresh_from_db()
    assert pin.status == PinStatus.IN_REVIEW


def test_an_editor_can_neither_approve_nor_send_back(team):
    pin, _owner, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    assert editor_api.post(f"/api/pins/{pin.pk}/approve/").status_code == 403
    response = editor_api.post(f"/api/pins/{pin.pk}/reject/", {"comment": "x"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "role_forbids"
    pin.refresh_from_db()
    assert pin.status == PinStatus.IN_REVIEW


def test_approving_a_pin_that_is_not_in_review_is_409(team):
    pin, owner_api, _editor_api, _editor = team
    response = owner_api.post(f"/api/pins/{pin.pk}/approve/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "pin_not_in_review"


def test_an_approval_of_a_time_now_in_the_past_is_refused_like_an_owners_schedule_and_the_pin_stays_in_review(team):
    pin, owner_api, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    Pin.objects.filter(pk=pin.pk).update(scheduled_at=timezone.now() - timedelta(days=3))
    response = owner_api.post(f"/api/pins/{pin.pk}/approve/")
    assert response.status_code == 400 and "scheduled_at" in response.json()["error"]["fields"]
    pin.refresh_from_db()
    assert pin.status == PinStatus.IN_REVIEW and pin.review_action == ReviewAction.SCHEDULE


def test_an_approval_of_a_pin_whose_board_was_removed_is_refused_naming_board(team):
    pin, owner_api, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    Pin.objects.filter(pk=pin.pk).update(board=None)
    response = owner_api.post(f"/api/pins/{pin.pk}/approve/")
    assert response.status_code == 400 and "board" in response.json()["error"]["fields"]
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW


def test_an_editors_ask_that_breaks_the_schedule_rule_is_refused_at_once(team):
    pin, _owner, editor_api, _editor = team
    past = (timezone.now() - timedelta(days=3)).isoformat()
    response = editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": past}, format="json")
    assert response.status_code == 400 and "scheduled_at" in response.json()["error"]["fields"]
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.DRAFT


def test_an_approved_pin_edited_by_an_editor_goes_back_to_review_at_its_time(team):
    pin, owner_api, editor_api, _editor = team
    at = later()
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": at.isoformat()}, format="json")
    owner_api.post(f"/api/pins/{pin.pk}/approve/")
    response = editor_api.patch(f"/api/pins/{pin.pk}/", {"title": "A sneaky new title"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_review" and response.json()["title"] == "A sneaky new title"
    pin.refresh_from_db()
    assert pin.review_action == ReviewAction.SCHEDULE and pin.scheduled_at == at


def test_an_owners_edit_of_an_approved_pin_keeps_it_scheduled(team):
    pin, owner_api, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    owner_api.post(f"/api/pins/{pin.pk}/approve/")
    response = owner_api.patch(f"/api/pins/{pin.pk}/", {"title": "Fixed by the owner"}, format="json")
    assert response.json()["status"] == "ready_to_schedule"


def test_an_owner_and_an_editor_of_a_project_without_approval_schedule_directly(team, tenant):
    pin, owner_api, editor_api, _editor = team
    at = later().isoformat()
    assert owner_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": at}, format="json").json()["status"] == (
        "ready_to_schedule")
    free = make_project(tenant=tenant, connection=pin.project.pinterest_connection)
    other = make_pin(project=free, board=pin.board, status=PinStatus.DRAFT)
    assert editor_api.post(f"/api/pins/{other.pk}/schedule/", {"scheduled_at": at}, format="json").json()[
        "status"] == "ready_to_schedule"


def test_an_editors_queue_waits_in_review_and_the_approval_takes_the_next_free_slot(team):
    pin, owner_api, editor_api, _editor = team
    PostingSlot.objects.create(project=pin.project, weekday=(timezone.now() + timedelta(days=1)).weekday(),
                               local_time=clock(9, 0))
    response = editor_api.post(f"/api/pins/{pin.pk}/queue/")
    assert response.status_code == 200 and response.json()["status"] == "in_review"
    assert Pin.objects.get(pk=pin.pk).review_action == ReviewAction.QUEUE
    approved = owner_api.post(f"/api/pins/{pin.pk}/approve/").json()
    assert approved["status"] == "ready_to_schedule" and approved["scheduled_at"] is not None


def test_an_editor_cannot_turn_approval_off_and_an_owner_can(team):
    pin, owner_api, editor_api, _editor = team
    url = f"/api/projects/{pin.project_id}/"
    response = editor_api.patch(url, {"requires_approval": False}, format="json")
    assert response.status_code == 400 and "requires_approval" in response.json()["error"]["fields"]
    assert owner_api.patch(url, {"requires_approval": False}, format="json").json()["requires_approval"] is False


def test_another_tenants_owner_cannot_see_approve_or_reject_the_pin(team):
    pin, _owner, editor_api, _editor = team
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    stranger = api_client(make_user())
    assert stranger.post(f"/api/pins/{pin.pk}/approve/").status_code == 404
    assert stranger.post(f"/api/pins/{pin.pk}/reject/", {"comment": "no"}, format="json").status_code == 404
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.IN_REVIEW


def test_the_owners_are_emailed_once_per_ask_and_the_editor_is_not(team, tenant, django_capture_on_commit_callbacks):
    pin, _owner, editor_api, _editor = team
    make_user(tenant, email="second@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    assert sorted(message.to[0] for message in mail.outbox) == ["owner@example.com", "second@example.com"]
    assert str(pin) in mail.outbox[0].subject and "/planner/reviews/" in mail.outbox[0].body


def test_the_review_sends_webhook_events_requested_approved_and_rejected(team, tenant, settings):
    pin, owner_api, editor_api, editor = team
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True
    endpoint_create(tenant=tenant, url="https://127.0.0.1/hooks")
    editor_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": later().isoformat()}, format="json")
    owner_api.post(f"/api/pins/{pin.pk}/approve/")
    editor_api.patch(f"/api/pins/{pin.pk}/", {"title": "Changed"}, format="json")
    owner_api.post(f"/api/pins/{pin.pk}/reject/", {"comment": "Not this week."}, format="json")
    events = list(Event.objects.filter(tenant=tenant).order_by("created_at", "pk"))
    assert [event.type for event in events] == [
        "pin.review_requested", "pin.approved", "pin.review_requested", "pin.rejected"]
    assert events[0].data["action"] == "schedule" and events[0].data["requested_by"] == editor.username
    assert events[0].data["pin_id"] == str(pin.pk)
    assert events[3].data["comment"] == "Not this week." and events[3].data["status"] == "draft"


def test_an_editors_publish_now_waits_in_review_and_the_approval_publishes_it(standin):
    (pin,) = standin_pins(standin, status=PinStatus.DRAFT)
    pin.project.requires_approval = True
    pin.project.save()
    tenant = pin.project.tenant
    editor_api, owner_api = api_client(make_user(tenant, role=EDITOR)), api_client(make_user(tenant))
    response = editor_api.post(f"/api/pins/{pin.pk}/publish/")
    assert response.status_code == 202 and response.json()["status"] == "in_review"
    assert create_calls(standin) == 0
    approved = owner_api.post(f"/api/pins/{pin.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert create_calls(standin) == 1


def test_an_editors_bulk_publish_puts_the_pins_in_review_outside_any_batch(standin):
    pins = standin_pins(standin, count=2, status=PinStatus.DRAFT)
    pins[0].project.requires_approval = True
    pins[0].project.save()
    editor_api = api_client(make_user(pins[0].project.tenant, role=EDITOR))
    response = editor_api.post("/api/pins/publish-bulk/", {"pin_ids": [str(p.pk) for p in pins]}, format="json")
    assert response.status_code == 202
    assert response.json()["batch_id"] is None and sorted(response.json()["in_review"]) == sorted(
        str(p.pk) for p in pins)
    assert set(Pin.objects.filter(pk__in=[p.pk for p in pins]).values_list("status", flat=True)) == {"in_review"}
    assert create_calls(standin) == 0


def test_the_api_schema_lists_in_review_the_review_and_the_approve_and_reject_endpoints(tenant_api):
    schema = tenant_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/pins/{pin_id}/approve/" in schema["paths"] and "/api/pins/{pin_id}/reject/" in schema["paths"]
    statuses = schema["components"]["schemas"]["PinStatusEnum"]["enum"]
    assert "in_review" in statuses
    assert "review" in schema["components"]["schemas"]["Pin"]["properties"]
    assert "requires_approval" in schema["components"]["schemas"]["Project"]["properties"]


def test_a_key_acts_as_the_member_who_made_it_and_a_session_as_its_user(team, tenant):
    pin, _owner, _editor_api, editor = team
    from rest_framework.test import APIClient

    editor_session = APIClient()
    editor_session.force_login(editor)
    at = later().isoformat()
    assert editor_session.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": at}, format="json").json()[
        "status"] == "in_review"
    # An owner's key decides; an editor's key (every scope) cannot.
    assert api_client(editor).post(f"/api/pins/{pin.pk}/approve/").status_code == 403
    assert api_client(make_user(tenant)).post(f"/api/pins/{pin.pk}/approve/").status_code == 200
