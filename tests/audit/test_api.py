"""``GET /api/audit/`` (issue 29): the tenant's events only, filtered, paginated, as CSV; nothing
writes the trail but the services (no API write, no admin add/change/delete, the model refuses)."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.actors import acting_as_job
from audit.models import AppendOnlyError, AuditEvent
from audit.record import record
from audit.schedules import PURGE_FUNC, PURGE_SCHEDULE, audit_schedules_setup
from audit.services import audit_purge
from publishing.services.content import project_create, project_update
from tests.factories import api_client, make_api_key, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(tenant):
    with acting_as_job("nightly import"):
        project = project_create(tenant=tenant, name="Blog")
    project_update(project=project, data={"name": "Food blog"})
    other = make_project()  # another tenant's
    project_update(project=other, data={"name": "Not yours"})
    return project


def test_the_list_is_the_tenants_newest_first_with_who_what_and_the_fields(tenant_api, trail):
    answer = tenant_api.get("/api/audit/?object_type=project")  # the key tenant_api made is an event too

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    newest, oldest = body["results"]
    assert (newest["action"], newest["actor_kind"], newest["actor"]) == ("project.update", "job", "pytest")
    assert newest["changes"] == {"name": ["Blog", "Food blog"]}
    assert (oldest["action"], oldest["actor"]) == ("project.create", "nightly import")
    assert oldest["object_id"] == str(trail.pk)


@pytest.mark.parametrize(("query", "actions"), [
    ("object_type=project", ["project.update", "project.create"]),
    ("actor=nightly import", ["project.create"]),
    ("actor=job", ["project.update", "project.create", "api_key.create"]),
    ("action=project.update", ["project.update"]),
    ("action=project.", ["project.update", "project.create"]),
    ("action=pin.", []),
])
def test_the_list_filters_by_object_actor_and_action(tenant_api, trail, query, actions):
    answer = tenant_api.get(f"/api/audit/?{query}")
    assert [event["action"] for event in answer.json()["results"]] == actions


def test_the_list_filters_by_object_id_and_by_days(tenant_api, trail):
    assert tenant_api.get(f"/api/audit/?object_type=project&object_id={trail.pk}").json()["count"] == 2
    today = timezone.now().date()
    assert tenant_api.get(f"/api/audit/?object_type=project&from={today}&to={today}").json()["count"] == 2
    assert tenant_api.get(f"/api/audit/?to={today - timedelta(days=1)}").json()["count"] == 0


def test_a_bad_date_is_a_400_naming_the_parameter(tenant_api):
    answer = tenant_api.get("/api/audit/?from=yesterday")
    assert answer.status_code == 400
    assert "from" in answer.json()["error"]["fields"]


def test_the_trail_is_exported_as_csv_with_the_same_filters(tenant_api, trail):
    for answer in (tenant_api.get("/api/audit/?format=csv&action=project."),
                   tenant_api.get("/api/audit/?action=project.", HTTP_ACCEPT="text/csv")):
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
        assert [row["action"] for row in rows] == ["project.update", "project.create"]
        assert rows[0]["changes"] == '{"name": ["Blog", "Food blog"]}'


def test_an_empty_export_still_has_its_header(tenant_api):
    answer = tenant_api.get("/api/audit/?format=csv")
    assert answer.content.decode().startswith("at,actor_kind,actor,action,")


def test_a_key_needs_the_read_scope_and_nothing_writes_through_the_api(tenant):
    owner = make_user(tenant)
    assert api_client(owner, scopes=["pins:write"]).get("/api/audit/").status_code == 403
    client = api_client(owner, scopes=["read"])
    assert client.post("/api/audit/", {}, format="json").status_code == 405
    assert client.delete("/api/audit/").status_code == 405


def test_a_saved_event_is_never_changed_or_deleted(tenant):
    event = record("tenant.update", tenant, changes={"name": ["a", "b"]})
    event.action = "tenant.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_admin_shows_the_trail_and_offers_no_add_change_or_delete(admin_client, tenant):
    event = record("tenant.update", tenant, changes={"name": ["a", "b"]})
    assert admin_client.get("/admin/audit/auditevent/").status_code == 200
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    page = admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_secrets_are_shown_as_changed_never_their_values(tenant):
    created = make_api_key(make_user(tenant))
    event = AuditEvent.objects.get(action="api_key.create", object_id=str(created.api_key.pk))
    assert event.changes["hashed_key"] == ["(secret)", "(changed)"]
    assert created.key not in str(event.changes) and created.api_key.hashed_key not in str(event.changes)


def test_the_purge_deletes_events_older_than_the_retention_only(settings, tenant):
    settings.AUDIT_RETENTION_DAYS = 30
    old, recent = (record("tenant.update", tenant, changes={}) for _ in range(2))
    now = timezone.now()
    AuditEvent.objects.filter(pk=old.pk)._raw_delete("default")  # re-inserted as 31 days old below
    AuditEvent.objects.bulk_create([AuditEvent(tenant=tenant, at=now - timedelta(days=31), actor_kind="job",
                                               actor_label="pytest", action="tenant.update", object_type="tenant",
                                               object_id=str(tenant.pk))])

    assert audit_purge(now=now) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_audit_command_says_how_many_went(settings):
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    assert out.getvalue().startswith("Purged 0 audit event(s) older than 365 days.")


def test_the_daily_purge_is_installed_once_by_setup_schedules():
    now = datetime(2030, 1, 1, 5, 0, tzinfo=UTC)
    (first,) = audit_schedules_setup(now=now)
    (again,) = audit_schedules_setup(now=now)
    assert (first.pk, first.name, first.func) == (again.pk, PURGE_SCHEDULE, PURGE_FUNC)
    assert first.next_run == datetime(2030, 1, 2, 4, 30, tzinfo=UTC)
