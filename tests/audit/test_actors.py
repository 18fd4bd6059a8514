"""Who an audit event names (issue 29): the person of a session (planner, admin, API), an API key
by its prefix, the job of a task or a command; nobody acting is refused, never recorded as
"unknown" silently."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.actors import UNKNOWN, acting_as_job, current_actor
from audit.models import AuditEvent
from audit.record import UnknownActor, record
from tests.factories import (
    api_client,
    make_api_key,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_tenant,
    make_user,
)

pytestmark = pytest.mark.django_db


def _draft(tenant):
    board = make_board(connection=make_connection(tenant=tenant))
    project = make_project(tenant=tenant, connection=board.connection)
    return make_pin(project=project, board=board, status="draft", title="Old title")


def test_an_api_key_is_named_by_its_prefix_with_its_owner_and_the_request_id(tenant):
    owner = make_user(tenant, username="writer")
    created = make_api_key(owner, scopes=["read", "pins:write"])
    client = api_client(owner)
    client.credentials(HTTP_AUTHORIZATION=f"Token {created.key}", HTTP_X_REQUEST_ID="req-123")
    pin = _draft(tenant)

    answer = client.patch(f"/api/pins/{pin.pk}/", {"title": "New title"}, format="json")

    assert answer.status_code == 200, answer.content
    event = AuditEvent.objects.get(action="pin.update", object_id=str(pin.pk))
    assert (event.actor_kind, event.actor_label, event.actor_user) == ("api_key", created.api_key.prefix, owner)
    assert event.changes["title"] == ["Old title", "New title"]
    assert event.request_id == "req-123"
    assert event.tenant == tenant


def test_a_signed_in_person_in_the_api_is_named_by_username(client, tenant):
    person = make_user(tenant, username="maria")
    client.force_login(person)
    project = make_project(tenant=tenant, name="Blog")

    answer = client.patch(f"/api/projects/{project.pk}/", {"name": "Food blog"}, content_type="application/json")

    assert answer.status_code == 200, answer.content
    event = AuditEvent.objects.get(action="project.update")
    assert (event.actor_kind, event.actor_label, event.actor_user) == ("person", "maria", person)
    assert event.changes == {"name": ["Blog", "Food blog"]}


def test_the_planners_retry_is_the_person_who_pressed_it(client, tenant):
    person = make_user(tenant, username="sam")
    client.force_login(person)
    pin = _draft(tenant)
    pin.status, pin.error_message = "error", "Pinterest said no"
    pin.save()

    client.post(reverse("planner:pin-retry", args=[pin.pk]))

    event = AuditEvent.objects.get(action="pin.schedule", object_id=str(pin.pk))
    assert (event.actor_kind, event.actor_label) == ("person", "sam")
    assert event.changes["status"] == ["error", "ready_to_schedule"]


def test_a_command_acts_as_its_job():
    call_command("create_tenant", "Agency", "--owner", "agency-owner", stdout=io.StringIO())

    event = AuditEvent.objects.get(action="tenant.create")
    assert (event.actor_kind, event.actor_label) == ("job", "manage.py create_tenant")


def test_a_django_q_task_acts_as_its_function():
    from django_q.signals import pre_execute

    pre_execute.send(sender="django_q", func=None, task={"func": "pinterest.tasks.sync_boards"})
    assert current_actor().label == "task pinterest.tasks.sync_boards"


def test_a_request_wins_over_a_job_around_it(client, tenant):
    client.force_login(make_user(tenant, username="lee"))
    project = make_project(tenant=tenant)
    with acting_as_job("outer job"):
        client.patch(f"/api/projects/{project.pk}/", {"name": "Renamed"}, content_type="application/json")
    assert AuditEvent.objects.get(action="project.update").actor_label == "lee"


@pytest.mark.no_audit_actor
def test_nobody_acting_is_unknown_and_refused_where_the_setting_says_so(settings):
    tenant = make_tenant()
    assert current_actor() == UNKNOWN
    with pytest.raises(UnknownActor, match="nobody is acting"):
        record("tenant.update", tenant)
    settings.AUDIT_REFUSE_UNKNOWN_ACTOR = False
    assert record("tenant.update", tenant).actor_kind == "unknown"


def test_a_thread_a_job_starts_acts_as_that_job():
    import threading

    seen = []
    with acting_as_job("task publishing.tasks.run_runner", process_wide=True):
        thread = threading.Thread(target=lambda: seen.append(current_actor().label))
        thread.start()
        thread.join()
    assert seen == ["task publishing.tasks.run_runner"]
