"""The schedule rule's window (``content.schedule``): every scheduled time, however it comes in
(the API's create, update and schedule, the admin's form, a CSV row, a queue slot, every interval
copy), lies between a little before now and ``PIN_SCHEDULE_MAX_AHEAD_DAYS`` ahead, or is refused
naming its field or row. Nothing out of the window is ever stored, so no pin can hold a time the
database cannot give back (year 10000 on PostgreSQL)."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from publishing.models import Pin, PinStatus, PostingSlot
from publishing.services import content
from publishing.services.interval import pin_pin_to_boards
from publishing.services.queue_slots import local_to_utc, pin_add_to_queue
from tests.factories import make_article, make_board, make_connection, make_pin, make_project
from tests.test_admin_forms import admin_post, change_data

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
AFTER_YEAR_9999 = "9999-12-31T23:59-12:00"  # 10000-01-01 11:59 UTC


@pytest.fixture
def setup(tenant):
    connection = make_connection(tenant=tenant)
    boards = [make_board(connection=connection, name=f"Board {i}") for i in range(3)]
    project = make_project(tenant=tenant, connection=connection)
    article = make_article(project=project)
    pin = make_pin(project=project, board=boards[0], article=article, status=PinStatus.DRAFT)
    return project, boards, article, pin


def fields(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def a_year_past_the_window():
    return (timezone.now() + timedelta(days=5 * 366 + 1)).isoformat()


# --- The rule ----------------------------------------------------------------------------------


def test_a_time_after_the_window_is_refused_naming_scheduled_at_and_nothing_changes(setup):
    *_, pin = setup
    with pytest.raises(ValidationError) as refused:
        content.pin_schedule(pin=pin, scheduled_at=NOW + timedelta(days=5 * 365 + 2), now=NOW)
    (message,) = refused.value.message_dict["scheduled_at"]
    assert message == ("This time is more than 1826 days ahead; give a time before 2035-05-01 08:00 UTC "
                       "(PIN_SCHEDULE_MAX_AHEAD_DAYS).")
    pin.refresh_from_db()
    assert (pin.status, pin.scheduled_at) == (PinStatus.DRAFT, None)


def test_the_window_is_a_setting_on_both_sides(setup, settings):
    *_, pin = setup
    settings.PIN_SCHEDULE_MAX_AHEAD_DAYS = 7
    settings.PIN_SCHEDULE_MAX_PAST_SECONDS = 3600
    assert content.schedule_window(now=NOW) == (NOW - timedelta(hours=1), NOW + timedelta(days=7))
    assert content.schedule_time_problem(NOW - timedelta(minutes=59), now=NOW) is None
    assert "in the past" in content.schedule_time_problem(NOW - timedelta(minutes=61), now=NOW)
    assert "more than 7 days ahead" in content.schedule_time_problem(NOW + timedelta(days=8), now=NOW)
    content.pin_schedule(pin=pin, scheduled_at=NOW + timedelta(days=7), now=NOW)


def test_a_time_no_utc_clock_can_hold_is_refused_without_converting_it():
    beyond = datetime.fromisoformat(AFTER_YEAR_9999)
    assert "days ahead" in content.schedule_time_problem(beyond, now=NOW)
    before_year_1 = datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert "in the past" in content.schedule_time_problem(before_year_1, now=NOW)


# --- The API and the admin ---------------------------------------------------------------------


def test_the_apis_create_update_and_schedule_refuse_a_time_after_the_window_naming_scheduled_at(
    tenant_api, setup
):
    project, boards, article, pin = setup
    late = a_year_past_the_window()
    body = {"project": project.pk, "article": article.pk, "board": boards[0].pk,
            "image_url": "https://img.example.com/a.jpg", "scheduled_at": late}
    assert "days ahead" in fields(tenant_api.post("/api/pins/", body, format="json"))["scheduled_at"][0]
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"scheduled_at": late}, format="json")
    assert "days ahead" in fields(response)["scheduled_at"][0]
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": late}, format="json")
    assert "days ahead" in fields(response)["scheduled_at"][0]
    assert list(Pin.objects.values_list("status", "scheduled_at")) == [(PinStatus.DRAFT, None)]


def test_the_admins_pin_form_refuses_a_time_after_the_window_as_a_form_error(admin_user_client, setup):
    *_, pin = setup
    url = reverse("admin:publishing_pin_change", args=[pin.pk])
    data = change_data(admin_user_client, pin, scheduled_at_0="9999-12-31", scheduled_at_1="23:59:00")
    _, errors = admin_post(admin_user_client, url, data)
    assert "days ahead" in errors["scheduled_at"][0]
    assert Pin.objects.get(pk=pin.pk).scheduled_at is None


# --- CSV ---------------------------------------------------------------------------------------


def csv_file(publish_date):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Media URL", "Pinterest board", "Link", "Publish date"])
    writer.writerow(["A pin", "https://img.example.com/a.jpg", "Board 1", "https://blog.example.com/a", publish_date])
    return SimpleUploadedFile("pins.csv", out.getvalue().encode(), content_type="text/csv")


@pytest.mark.parametrize("publish_date,zone", [
    (AFTER_YEAR_9999, "UTC"),
    ("9999-12-31 23:00", "America/Adak"),  # local: no UTC instant before year 10000
    ("2040-01-01T00:00Z", "UTC"),
])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_csv_date_after_the_window_is_a_400_naming_the_row_and_the_pins_stay_readable(
    tenant_api, setup, publish_date, zone, dry_run
):
    project, *_ = setup
    project.timezone = zone
    project.save()
    response = tenant_api.post(f"/api/projects/{project.pk}/import/",
                               {"file": csv_file(publish_date), "dry_run": dry_run}, format="multipart")
    problem, last = fields(response)["file"]
    assert problem.startswith("row 2: Publish date: This time is more than 1826 days ahead"), problem
    assert last == "Nothing was imported."
    assert Pin.objects.count() == 1
    # What bricked a tenant: a stored year 10000 made every read of its pins a 500.
    assert tenant_api.get("/api/pins/").status_code == 200


# --- Queue slots and interval pinning ----------------------------------------------------------


def test_a_wall_time_with_no_utc_instant_comes_back_in_its_zone_for_the_rule_to_refuse():
    zone = ZoneInfo("America/Adak")
    at = local_to_utc(day=date(9999, 12, 31), at=time(23, 0), zone=zone)
    assert at == datetime(9999, 12, 31, 23, 0, tzinfo=zone)
    assert "days ahead" in content.schedule_time_problem(at, now=NOW)


def test_the_queue_looks_for_a_free_slot_only_within_the_window(setup, settings):
    project, boards, article, pin = setup
    settings.PIN_SCHEDULE_MAX_AHEAD_DAYS = 10
    PostingSlot.objects.create(project=project, weekday=NOW.weekday(), local_time=time(9, 0))
    first = make_pin(project=project, board=boards[0], article=article, status=PinStatus.DRAFT)
    second = make_pin(project=project, board=boards[0], article=article, status=PinStatus.DRAFT)
    pin_add_to_queue(pin=pin, now=NOW)
    pin_add_to_queue(pin=first, now=NOW)
    with pytest.raises(ValidationError) as refused:
        pin_add_to_queue(pin=second, now=NOW)
    assert refused.value.message_dict["project"] == [
        f"The queue of project {project.name!r} has no free slot before 2030-05-11 08:00 UTC, the latest a "
        "pin may be scheduled (PIN_SCHEDULE_MAX_AHEAD_DAYS)."
    ]


def test_pin_to_boards_refuses_a_start_after_the_window_naming_start_at(tenant_api, setup):
    _project, boards, _article, pin = setup
    body = {"boards": [boards[1].pk, boards[2].pk], "start_at": "9999-12-31T00:00Z", "interval_days": 7}
    response = tenant_api.post(f"/api/pins/{pin.pk}/pin-to-boards/", body, format="json")
    assert "days ahead" in fields(response)["start_at"][0]
    assert Pin.objects.count() == 1


def test_pin_to_boards_refuses_when_the_last_copy_falls_after_the_window(setup):
    _project, boards, _article, pin = setup
    start = NOW + timedelta(days=5 * 365 - 10)
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=pin, board_ids=[b.pk for b in boards], start_at=start, interval=timedelta(days=7),
                          now=NOW)
    (message,) = refused.value.message_dict["interval"]
    assert message.startswith("The last copy (board 3) would publish at 2035-05-04 08:00 UTC: This time is more")
    assert message.endswith("Give an earlier start, a shorter interval or fewer boards.")
    assert Pin.objects.count() == 1


def test_pin_to_boards_refuses_an_interval_longer_than_a_year_at_the_service(setup):
    _project, boards, _article, pin = setup
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=pin, board_ids=[boards[1].pk, boards[2].pk], start_at=NOW + timedelta(days=1),
                          interval=timedelta(days=999_999_999), now=NOW)
    assert refused.value.message_dict["interval"] == ["The interval must be at most 365 days."]


def test_the_import_command_refuses_a_date_after_the_window_in_one_line_naming_the_row(setup, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    project, *_ = setup
    path = tmp_path / "pins.csv"
    path.write_bytes(csv_file(AFTER_YEAR_9999).read())
    with pytest.raises(CommandError, match=r"1 problem\(s\) found in .*; nothing was imported."):
        call_command("import_pins", str(path), "--project", str(project.pk))
    assert "row 2: Publish date: This time is more than 1826 days ahead" in capsys.readouterr().err
    assert Pin.objects.count() == 1


def test_the_admins_pin_to_boards_refuses_a_start_with_no_utc_instant_with_a_message(admin_user_client, setup):
    project, boards, _article, pin = setup
    project.timezone = "America/Adak"
    project.save()
    response = admin_user_client.post("/admin/publishing/pin/", {
        "action": "pin_to_boards", "_selected_action": [pin.pk], "apply": "1",
        "boards": [boards[1].pk], "start_at_0": "9999-12-31", "start_at_1": "23:00",
        "interval_days": "2", "interval_hours": "0",
    }, follow=True)
    assert response.status_code == 200
    assert "nothing was created: start_at: This time is more than 1826 days ahead" in response.content.decode()
    assert Pin.objects.count() == 1
