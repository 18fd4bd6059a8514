"""A pin in review is never published by any path (issue 29): the sweep, the runners' dispatch,
bulk publish and publish-now (even an owner's), the queue and the CSV import leave it as it is; an
editor's CSV import waits in review; the project setting's rule lives in one function."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from publishing import engine
from publishing.acting import acting_as
from publishing.approvals import pins_publish_many
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Membership, Pin, PinStatus, ReviewAction
from publishing.rules.approval import may_approve, review_required
from publishing.services.csv_import import pins_import_csv
from publishing.services.queue_slots import pins_add_to_queue
from tests.factories import api_client, make_board, make_connection, make_pin, make_project, make_user
from tests.publishing.helpers import create_calls, standin_pins

pytestmark = pytest.mark.django_db
EDITOR = Membership.Role.EDITOR


def in_review_and_due(standin, count=1):
    """Pins in review whose asked time has come, on a working stand-in account, in a project whose
    pins need approval; what every path below must leave alone."""
    due = timezone.now() - timedelta(minutes=1)
    pins = standin_pins(standin, count=count, status=PinStatus.IN_REVIEW, scheduled_at=due,
                        review_action=ReviewAction.SCHEDULE)
    pins[0].project.requires_approval = True
    pins[0].project.save()
    return pins


def unchanged(pins):
    return {pin.status for pin in Pin.objects.filter(pk__in=[p.pk for p in pins])} == {PinStatus.IN_REVIEW}


def test_the_sweep_never_publishes_a_pin_in_review_whose_time_has_come(standin):
    pins = in_review_and_due(standin, count=2)
    report = engine.pins_publish_due()
    assert report["total"] == 0 and create_calls(standin) == 0 and unchanged(pins)


def test_the_runners_dispatch_never_claims_a_pin_in_review(standin):
    pins = in_review_and_due(standin)
    pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 5)
    assert create_calls(standin) == 0 and unchanged(pins)


def test_an_owners_bulk_publish_settles_a_pin_in_review_without_publishing_it(standin):
    pins = in_review_and_due(standin)
    owner = make_user(pins[0].project.tenant)
    with acting_as(owner):
        batch, asked = pins_publish_many(tenant=owner.membership.tenant, pin_ids=[pins[0].pk])
    assert asked == [] and batch is not None
    pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 5)
    assert create_calls(standin) == 0 and unchanged(pins)
    assert engine.batch_summary(batch=batch)["pending"] == 0


def test_publish_now_of_a_pin_in_review_is_409_even_for_an_owner(standin):
    pins = in_review_and_due(standin)
    owner_api = api_client(make_user(pins[0].project.tenant))
    response = owner_api.post(f"/api/pins/{pins[0].pk}/publish/")
    assert response.status_code == 409 and create_calls(standin) == 0 and unchanged(pins)


def test_an_editors_publish_of_a_pin_already_in_review_asks_again_and_publishes_nothing(standin):
    pins = in_review_and_due(standin)
    editor_api = api_client(make_user(pins[0].project.tenant, role=EDITOR))
    response = editor_api.post(f"/api/pins/{pins[0].pk}/publish/")
    assert response.status_code == 202 and create_calls(standin) == 0 and unchanged(pins)
    assert Pin.objects.get(pk=pins[0].pk).review_action == ReviewAction.PUBLISH


def test_the_queue_neither_takes_nor_moves_a_pin_in_review(standin):
    (held,) = in_review_and_due(standin)
    asked_at = Pin.objects.get(pk=held.pk).scheduled_at
    held.project.posting_slots.create(weekday=(timezone.now() + timedelta(days=1)).weekday(),
                                      local_time=datetime(2030, 1, 1, 9, tzinfo=UTC).time())
    other = make_pin(project=held.project, board=held.board, status=PinStatus.DRAFT)
    (queued,) = pins_add_to_queue(pins=[other])
    assert queued.status == PinStatus.READY_TO_SCHEDULE
    held.refresh_from_db()
    assert held.status == PinStatus.IN_REVIEW and held.scheduled_at == asked_at


CSV = (b"Title,Media URL,Pinterest board,Link,Publish date\n"
       b"From the sheet,https://img.example.com/a.jpg,Recipes,https://blog.example.com/a,2030-05-02T09:00:00Z\n")
NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def approval_project():
    connection = make_connection()
    board = make_board(connection=connection, name="Recipes")
    project = make_project(tenant=connection.tenant, connection=connection, requires_approval=True)
    return project, board


def test_an_editors_csv_import_leaves_its_pins_in_review_at_their_times(approval_project):
    project, _board = approval_project
    editor = make_user(project.tenant, role=EDITOR)
    with acting_as(editor):
        result = pins_import_csv(project=project, data=CSV, now=NOW)
    assert result.in_review == 1
    pin = Pin.objects.get(pk=result.pin_ids[0])
    assert pin.status == PinStatus.IN_REVIEW and pin.review_action == ReviewAction.SCHEDULE
    assert pin.scheduled_at == datetime(2030, 5, 2, 9, tzinfo=UTC) and pin.review_requested_by == editor


def test_an_owners_csv_import_schedules_and_leaves_a_pin_in_review_alone(approval_project):
    project, board = approval_project
    held = make_pin(project=project, board=board, status=PinStatus.IN_REVIEW, scheduled_at=NOW + timedelta(days=1),
                    review_action=ReviewAction.SCHEDULE)
    with acting_as(make_user(project.tenant)):
        result = pins_import_csv(project=project, data=CSV, now=NOW)
    assert result.in_review == 0
    assert Pin.objects.get(pk=result.pin_ids[0]).status == PinStatus.READY_TO_SCHEDULE
    held.refresh_from_db()
    assert held.status == PinStatus.IN_REVIEW and held.scheduled_at == NOW + timedelta(days=1)


def test_the_rule_owners_approve_members_are_editors_and_nobody_acting_needs_no_review(approval_project, admin_user):
    project, _board = approval_project
    owner, editor = make_user(project.tenant), make_user(project.tenant, role=EDITOR)
    stranger_owner = make_user()
    assert may_approve(person=owner, tenant_id=project.tenant_id)
    assert not may_approve(person=editor, tenant_id=project.tenant_id)
    assert not may_approve(person=stranger_owner, tenant_id=project.tenant_id)
    assert may_approve(person=admin_user, tenant_id=project.tenant_id)  # an operator
    assert review_required(person=editor, project=project)
    assert not review_required(person=owner, project=project)
    assert not review_required(person=None, project=project)  # the schedule, a command, a task
    project.requires_approval = False
    assert not review_required(person=editor, project=project)
