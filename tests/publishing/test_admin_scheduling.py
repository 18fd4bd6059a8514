"""The admin's planning: the queue and interval actions, the CSV upload page, slots and zone on the project."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from publishing.models import Pin, PinStatus, PostingSlot
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    boards = [make_board(connection=connection, name=f"Board {i}") for i in range(3)]
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin")
    PostingSlot.objects.create(project=project, weekday=2, local_time=time(12, 0))
    return project, boards


def test_the_add_to_queue_action_schedules_the_pins_and_says_when_in_the_projects_zone(admin_user_client, world):
    project, boards = world
    pin = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    response = admin_user_client.post(
        "/admin/publishing/pin/", {"action": "add_to_queue", "_selected_action": [pin.pk]}, follow=True
    )
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at is not None
    assert "12:00 Europe/Berlin" in response.content.decode()


def test_the_add_to_queue_action_refuses_all_when_one_pin_cannot_be_queued(admin_user_client, world):
    project, boards = world
    good = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    bad = make_pin(project=project, board=None, status=PinStatus.DRAFT)
    response = admin_user_client.post(
        "/admin/publishing/pin/", {"action": "add_to_queue", "_selected_action": [good.pk, bad.pk]}, follow=True
    )
    assert "Nothing was queued" in response.content.decode()
    assert not Pin.objects.filter(scheduled_at__isnull=False).exists()


def test_the_pin_to_boards_action_asks_then_creates_the_copies(admin_user_client, world):
    project, boards = world
    pin = make_pin(project=project, board=boards[0])
    form = admin_user_client.post("/admin/publishing/pin/", {"action": "pin_to_boards", "_selected_action": [pin.pk]})
    assert form.status_code == 200 and "Pin to more boards" in form.content.decode()
    response = admin_user_client.post("/admin/publishing/pin/", {
        "action": "pin_to_boards", "_selected_action": [pin.pk], "apply": "1",
        "boards": [boards[1].pk, boards[2].pk], "start_at_0": "2030-06-01", "start_at_1": "09:00",
        "interval_days": "2", "interval_hours": "0",
    }, follow=True)
    assert "2 pins created and scheduled" in response.content.decode()
    copies = Pin.objects.filter(source_pin=pin).order_by("scheduled_at")
    assert [c.scheduled_at.isoformat() for c in copies] == ["2030-06-01T07:00:00+00:00", "2030-06-03T07:00:00+00:00"]


@pytest.mark.parametrize("action", ["add_to_queue", "pin_to_boards"])
def test_a_project_whose_stored_zone_is_no_zone_gets_a_message_not_a_500(admin_user_client, world, action):
    project, boards = world
    type(project).objects.filter(pk=project.pk).update(timezone="Mars/Phobos")  # before the rule, or by SQL
    pin = make_pin(project=project, board=boards[0], status=PinStatus.DRAFT)
    response = admin_user_client.post("/admin/publishing/pin/", {
        "action": action, "_selected_action": [pin.pk], "apply": "1",
        "boards": [boards[1].pk], "start_at_0": "2030-06-01", "start_at_1": "09:00",
        "interval_days": "2", "interval_hours": "0",
    }, follow=True)
    assert response.status_code == 200
    assert "&#x27;Mars/Phobos&#x27; is not a time zone" in response.content.decode()
    assert not Pin.objects.filter(scheduled_at__isnull=False).exists()


def test_the_upload_page_imports_a_csv_or_lists_every_bad_row(admin_user_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, _boards = world
    url = f"/admin/publishing/blogproject/{project.pk}/import/"
    assert admin_user_client.get(url).status_code == 200
    header = "Title,Media URL,Pinterest board,Link,Publish date\n"
    bad = header + "A,https://i.example.com/a.jpg,Missing board,https://b.example.com/a,\n"
    response = admin_user_client.post(url, {"file": SimpleUploadedFile("p.csv", bad.encode())})
    assert "row 2: Pinterest board: no board named &#x27;Missing board&#x27;" in response.content.decode()
    good = header + "A,https://i.example.com/a.jpg,Board 1,https://b.example.com/a,\n"
    response = admin_user_client.post(url, {"file": SimpleUploadedFile("p.csv", good.encode())})
    assert response.status_code == 302 and response["Location"].endswith(f"/{project.pk}/calendar/")
    assert Pin.objects.get().status == PinStatus.READY_TO_SCHEDULE


def test_the_project_form_takes_a_time_zone_and_slots(admin_user_client, world):
    project, _boards = world
    page = admin_user_client.get(f"/admin/publishing/blogproject/{project.pk}/change/").content.decode()
    assert 'name="timezone"' in page and "weekly posting slots" in page.lower()


def test_slots_are_saved_from_the_project_page(admin_user_client, world):
    project, _boards = world
    response = admin_user_client.post(f"/admin/publishing/blogproject/{project.pk}/change/", {
        "name": project.name, "pinterest_connection": project.pinterest_connection_id, "timezone": "Europe/Paris",
        "posting_slots-TOTAL_FORMS": "1", "posting_slots-INITIAL_FORMS": "0",
        "posting_slots-0-weekday": "4", "posting_slots-0-local_time": "18:30",
    })
    assert response.status_code == 302, response.content.decode()[-3000:]
    project.refresh_from_db()
    assert project.timezone == "Europe/Paris"
    assert [str(slot) for slot in project.posting_slots.all()] == ["Wednesday 12:00", "Friday 18:30"]


def test_remove_from_queue_counts_in_words_that_fit_one_pin(admin_user_client, tenant):
    from django.urls import reverse

    project = make_project(tenant=tenant)
    pin = make_pin(project=project, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now() + timedelta(days=1))
    response = admin_user_client.post(
        reverse("admin:publishing_pin_changelist"),
        {"action": "remove_from_queue", "_selected_action": [str(pin.pk)]}, follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    assert "1 pin taken off the queue; its slot is free again." in texts
