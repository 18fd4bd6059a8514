"""The planning endpoints: queue, slots, project time zone, interval pinning and CSV import."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from publishing.models import Pin, PinStatus, PostingSlot
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    boards = [make_board(connection=connection, name=f"Board {i}") for i in range(3)]
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin")
    return project, boards


def fields(response):
    return response.json()["error"]["fields"]


def next_monday_9_berlin():
    from zoneinfo import ZoneInfo

    now = timezone.now().astimezone(ZoneInfo("Europe/Berlin"))
    day = now.date() + timedelta(days=(7 - now.weekday()) % 7)
    candidate = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Europe/Berlin"))
    return candidate if candidate > now else candidate + timedelta(days=7)


@pytest.mark.parametrize("call", ["project queue", "pin queue"])
def test_scheduling_in_a_project_whose_stored_zone_is_no_zone_is_a_400_naming_timezone(tenant_api, world, call):
    project, boards = world
    type(project).objects.filter(pk=project.pk).update(timezone="Mars/Phobos")  # before the rule, or by SQL
    PostingSlot.objects.create(project=project, weekday=2, local_time=time(12, 0))
    pin = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    if call == "project queue":
        response = tenant_api.get(f"/api/projects/{project.pk}/queue/")
    else:
        response = tenant_api.post(f"/api/pins/{pin.pk}/queue/", {}, format="json")
    assert response.status_code == 400
    assert "'Mars/Phobos' is not a time zone" in fields(response)["timezone"][0]


def test_slots_are_put_and_listed_in_the_projects_zone(tenant_api, world):
    project, _boards = world
    body = {"slots": [{"weekday": "monday", "time": "09:00"}, {"weekday": "friday", "time": "18:30"}]}
    response = tenant_api.put(f"/api/projects/{project.pk}/slots/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"project": project.pk, "timezone": "Europe/Berlin", "slots": body["slots"]}
    assert tenant_api.get(f"/api/projects/{project.pk}/slots/").json()["slots"] == body["slots"]


@pytest.mark.parametrize("slot", [{"weekday": "moonday", "time": "09:00"}, {"weekday": "monday", "time": "9h"}])
def test_a_bad_slot_is_a_400_naming_slots(tenant_api, world, slot):
    project, _boards = world
    response = tenant_api.put(f"/api/projects/{project.pk}/slots/", {"slots": [slot]}, format="json")
    assert response.status_code == 400 and "slots" in fields(response)


def test_a_slot_key_it_does_not_take_is_named_and_nothing_is_replaced(tenant_api, world):
    project, _boards = world
    slot = {"weekday": "monday", "time": "09:00", "tyme": "10:00"}
    response = tenant_api.put(f"/api/projects/{project.pk}/slots/", {"slots": [slot]}, format="json")
    assert fields(response) == {"slots": [
        "slot 0: tyme: tyme is not a field of this endpoint. Did you mean time? Accepted: time, weekday."
    ]}
    assert not project.posting_slots.exists()


def test_a_project_takes_a_time_zone_and_refuses_an_unknown_one_naming_the_field(tenant_api, world):
    project, _boards = world
    response = tenant_api.post("/api/projects/", {"name": "Zoned", "timezone": "America/New_York"}, format="json")
    assert response.status_code == 201 and response.json()["timezone"] == "America/New_York"
    response = tenant_api.patch(f"/api/projects/{project.pk}/", {"timezone": "Nowhere/Land"}, format="json")
    assert response.status_code == 400 and "Nowhere/Land" in fields(response)["timezone"][0]
    response = tenant_api.patch(f"/api/projects/{project.pk}/", {"timezone": "Asia/Tokyo"}, format="json")
    assert response.json()["timezone"] == "Asia/Tokyo"


def test_a_pin_is_queued_listed_and_taken_off_the_queue(tenant_api, world):
    project, boards = world
    PostingSlot.objects.create(project=project, weekday=0, local_time=time(9, 0))
    pin = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    response = tenant_api.post(f"/api/pins/{pin.pk}/queue/")
    assert response.status_code == 200, response.content
    expected = next_monday_9_berlin()
    assert datetime.fromisoformat(response.json()["scheduled_at"].replace("Z", "+00:00")) == expected
    listing = tenant_api.get(f"/api/projects/{project.pk}/queue/?days=8").json()
    first = listing["slots"][0]
    assert listing["timezone"] == "Europe/Berlin"
    assert first["at"] == expected.isoformat() and first["at"].endswith(("+01:00", "+02:00"))
    assert first["pin"]["id"] == str(pin.pk) and first["free"] is False
    response = tenant_api.delete(f"/api/pins/{pin.pk}/queue/")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert tenant_api.get(f"/api/projects/{project.pk}/queue/?days=8").json()["slots"][0]["free"] is True


def test_queueing_without_slots_is_a_400_naming_the_project(tenant_api, world):
    project, boards = world
    pin = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    response = tenant_api.post(f"/api/pins/{pin.pk}/queue/")
    assert response.status_code == 400 and "no posting slots" in fields(response)["project"][0]


def test_bulk_queueing_refuses_unknown_pins_and_queues_the_rest_in_order(tenant_api, world):
    project, boards = world
    PostingSlot.objects.create(project=project, weekday=0, local_time=time(9, 0))
    pins = [make_pin(project=project, board=boards[0], status=PinStatus.DRAFT) for _ in range(2)]
    other = make_pin(status=PinStatus.DRAFT)
    response = tenant_api.post("/api/pins/queue/", {"pin_ids": [str(pins[0].pk), str(other.pk)]}, format="json")
    assert response.status_code == 400 and fields(response)["pin_ids"] == [f"Pin {other.pk} not found."]
    response = tenant_api.post("/api/pins/queue/", {"pin_ids": [str(p.pk) for p in pins]}, format="json")
    times = [datetime.fromisoformat(p["scheduled_at"].replace("Z", "+00:00")) for p in response.json()["pins"]]
    assert times == [next_monday_9_berlin(), next_monday_9_berlin() + timedelta(days=7)]


def test_pin_to_boards_creates_spaced_copies(tenant_api, world):
    project, boards = world
    pin = make_pin(project=project, board=boards[0], status=PinStatus.PUBLISHED)
    body = {"boards": [boards[1].pk, boards[2].pk], "start_at": "2030-06-01T09:00:00+02:00", "interval_hours": 36}
    response = tenant_api.post(f"/api/pins/{pin.pk}/pin-to-boards/", body, format="json")
    assert response.status_code == 201, response.content
    copies = response.json()
    assert [c["board"] for c in copies] == [boards[1].pk, boards[2].pk]
    assert [datetime.fromisoformat(c["scheduled_at"].replace("Z", "+00:00")) for c in copies] == [
        datetime(2030, 6, 1, 7, tzinfo=UTC), datetime(2030, 6, 2, 19, tzinfo=UTC)
    ]
    assert Pin.objects.filter(source_pin=pin).count() == 2


def test_pin_to_a_board_of_another_account_is_a_400_naming_it(tenant_api, world, tenant):
    project, boards = world
    foreign = make_board(connection=make_connection(tenant=tenant), name="Elsewhere")
    pin = make_pin(project=project, board=boards[0])
    body = {"boards": [foreign.pk], "start_at": "2030-06-01T09:00:00+02:00", "interval_days": 2}
    response = tenant_api.post(f"/api/pins/{pin.pk}/pin-to-boards/", body, format="json")
    assert response.status_code == 400
    assert "'Elsewhere'" in fields(response)["boards"][0]
    assert Pin.objects.count() == 1


@pytest.mark.parametrize(
    "change,field",
    [({"interval_days": None}, "interval_days"), ({"interval_hours": 5}, "interval_days"),
     ({"start_at": "2030-06-01T09:00:00"}, "start_at"), ({"boards": []}, "boards")],
)
def test_pin_to_boards_refuses_bad_input_naming_the_field(tenant_api, world, change, field):
    project, boards = world
    pin = make_pin(project=project, board=boards[0])
    body = {"boards": [boards[1].pk], "start_at": "2030-06-01T09:00:00+02:00", "interval_days": 2, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = tenant_api.post(f"/api/pins/{pin.pk}/pin-to-boards/", body, format="json")
    assert response.status_code == 400 and field in fields(response)


def csv_upload(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Media URL", "Pinterest board", "Link", "Publish date"])
    writer.writerows(rows)
    return SimpleUploadedFile("pins.csv", out.getvalue().encode(), content_type="text/csv")


def test_a_csv_is_imported_checked_in_a_dry_run_and_refused_row_by_row(tenant_api, world):
    project, _boards = world
    good = ["Soup", "https://img.example.com/s.jpg", "board 1", "https://blog.example.com/soup", "2030-06-01T09:00"]
    url = f"/api/projects/{project.pk}/import/"
    response = tenant_api.post(url, {"file": csv_upload([good]), "dry_run": "true"}, format="multipart")
    assert response.status_code == 200 and response.json()["dry_run"] is True and not Pin.objects.exists()
    response = tenant_api.post(url, {"file": csv_upload([good, [*good[:2], "Nope", *good[3:]]])}, format="multipart")
    assert response.status_code == 400
    assert fields(response)["file"][0].startswith("row 3: Pinterest board: no board named 'Nope'")
    assert not Pin.objects.exists()
    response = tenant_api.post(url, {"file": csv_upload([good])}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["pins_created"] == 1
    assert Pin.objects.get().scheduled_at == datetime(2030, 6, 1, 7, tzinfo=UTC)


def test_another_tenants_project_is_not_found_for_every_planning_route(tenant_api):
    project = make_project()
    assert tenant_api.get(f"/api/projects/{project.pk}/queue/").status_code == 404
    assert tenant_api.get(f"/api/projects/{project.pk}/slots/").status_code == 404
    response = tenant_api.post(f"/api/projects/{project.pk}/import/", {"file": csv_upload([])}, format="multipart")
    assert response.status_code == 404
