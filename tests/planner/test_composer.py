"""The planner's pages through Django's test client: who may see what (a member's own tenant only),
each composer button doing what the API does (the same service, so the same pin), and a refusal
naming its field with nothing written."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pinpublisher.timezones import format_when
from publishing import engine
from publishing.models import Pin, PinStatus
from publishing.services.demo import DEMO_VIDEO
from publishing.services.queue_slots import project_slots_replace
from tests.factories import (
    api_client,
    image_upload,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(tenant):
    """A plain member (not staff) of ``tenant``, a Berlin project on an account with a board and an
    article, and a pin of another tenant."""
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection, name="Recipes")
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin", name="Kitchen")
    article = make_article(project=project, url="https://www.kitchen.example/cake")
    member = make_user(tenant=tenant)
    return {"member": member, "connection": connection, "board": board, "project": project, "article": article,
            "foreign": make_pin(status=PinStatus.ERROR, title="Another tenant's pin")}


@pytest.fixture
def member(client, world):
    client.force_login(world["member"])
    return client


def compose(client, world, *, action, pin=None, **fields):
    data = {"project": world["project"].pk, "article": world["article"].pk, "kind": "image",
            "board": world["board"].pk, "title": "Lemon cake", "description": "Bright and easy.",
            "alt_text": "A lemon cake", "action": action}
    if pin is None:
        data["image"] = image_upload()
    data.update(fields)
    url = reverse("planner:pin", args=[pin.pk]) if pin else reverse("planner:pin-new")
    return client.post(url, data)


def api_twin(world, **fields):
    """A pin made through the API with the same input the composer sends."""
    data = {"project": world["project"].pk, "article": world["article"].pk, "board": world["board"].pk,
            "title": "Lemon cake", "description": "Bright and easy.", "alt_text": "A lemon cake",
            "image": image_upload(), **fields}
    response = api_client(world["member"]).post("/api/pins/", data, format="multipart")
    assert response.status_code == 201, response.json()
    return Pin.objects.get(pk=response.json()["id"])


def same(pin_a, pin_b, *names):
    return {name: getattr(pin_a, name) for name in names} == {name: getattr(pin_b, name) for name in names}


PIN_FIELDS = ("status", "kind", "title", "description", "alt_text", "board_id", "board_section_id", "article_id",
              "project_id", "scheduled_at", "error_message")


# --- who sees what -------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_the_planners_login(client):
    response = client.get("/planner/pins/")
    assert response.status_code == 302 and response["Location"].startswith("/planner/login/")


def test_a_user_of_no_tenant_has_no_planner(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/planner/pins/").status_code == 403


def test_a_member_logs_in_on_the_planners_page(client, world):
    world["member"].set_password("a-long-password")
    world["member"].save()
    response = client.post("/planner/login/", {"username": world["member"].username, "password": "a-long-password"})
    assert response.status_code == 302 and response["Location"] == "/planner/pins/"


def test_another_tenants_pin_is_404_to_read_change_and_retry(member, world):
    foreign = world["foreign"]
    assert member.get(f"/planner/pins/{foreign.pk}/").status_code == 404
    assert compose(member, world, action="draft", pin=foreign).status_code == 404
    assert member.post(f"/planner/pins/{foreign.pk}/retry/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == PinStatus.ERROR and foreign.title == "Another tenant's pin"


def test_the_pins_list_shows_the_tenants_pins_filtered_by_project_and_status(member, world, tenant):
    other_project = make_project(tenant=tenant, connection=world["connection"], name="Garden")
    make_pin(project=world["project"], board=world["board"], status=PinStatus.DRAFT, title="Kitchen draft")
    make_pin(project=world["project"], board=world["board"], status=PinStatus.PUBLISHED, title="Kitchen out")
    make_pin(project=other_project, board=world["board"], status=PinStatus.DRAFT, title="Garden draft")
    page = member.get("/planner/pins/").content.decode()
    assert "Kitchen draft" in page and "Garden draft" in page and "Another tenant" not in page
    page = member.get(f"/planner/pins/?project={world['project'].pk}&status=draft").content.decode()
    assert "Kitchen draft" in page and "Kitchen out" not in page and "Garden draft" not in page


def test_a_choice_of_another_tenant_is_refused_on_its_field(member, world):
    foreign_board = world["foreign"].board
    response = compose(member, world, action="draft", board=foreign_board.pk)
    assert response.status_code == 200
    assert "board" in response.context["form"].errors
    assert not Pin.objects.filter(project=world["project"]).exists()


def test_the_composer_never_shows_internal_fields(member, world):
    pin = make_pin(project=world["project"], board=world["board"], status=PinStatus.DRAFT,
                   claimed_at=timezone.now(), publishing_started_at=timezone.now(), media_id="m-123")
    page = member.get(f"/planner/pins/{pin.pk}/").content.decode()
    for internal in ("Claimed at", "claimed_at", "Lease", "PUBLISH_LEASE_SECONDS", "media_id", "m-123"):
        assert internal not in page


# --- each button does what the API does ----------------------------------------------------------


def test_save_draft_makes_the_pin_the_api_makes(member, world):
    response = compose(member, world, action="draft")
    pin = Pin.objects.exclude(pk=world["foreign"].pk).get()
    assert response.status_code == 302 and response["Location"] == f"/planner/pins/{pin.pk}/"
    assert same(pin, api_twin(world), *PIN_FIELDS) and pin.status == PinStatus.DRAFT and pin.image


def test_schedule_typed_in_the_projects_zone_is_the_apis_schedule(member, world):
    day = (timezone.now() + timedelta(days=3)).astimezone(BERLIN).date()
    compose(member, world, action="schedule", scheduled_at=f"{day:%Y-%m-%d}T09:30")
    pin = Pin.objects.get(title="Lemon cake")
    at = datetime.combine(day, time(9, 30), tzinfo=BERLIN)
    twin = api_twin(world, scheduled_at=at.isoformat())
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at == at
    assert same(pin, twin, *PIN_FIELDS)


def test_add_to_queue_takes_the_slot_the_page_shows_and_the_apis_queue_gives(member, world):
    project_slots_replace(project=world["project"], slots=[(day, time(8)) for day in range(7)])
    draft = make_pin(project=world["project"], board=world["board"], status=PinStatus.DRAFT)
    shown = member.get(f"/planner/pins/{draft.pk}/").context["queue_slot"]
    compose(member, world, action="queue", pin=draft)
    draft.refresh_from_db()
    assert draft.status == PinStatus.READY_TO_SCHEDULE and draft.scheduled_at.astimezone(BERLIN).time() == time(8)
    assert shown == format_when(draft.scheduled_at, zone=BERLIN)
    planner_slot = draft.scheduled_at
    api = api_client(world["member"])
    assert api.delete(f"/api/pins/{draft.pk}/queue/").status_code == 200
    assert api.post(f"/api/pins/{draft.pk}/queue/").status_code == 200
    assert Pin.objects.get(pk=draft.pk).scheduled_at == planner_slot


def test_publish_now_calls_the_apis_publish_with_the_same_arguments(member, world, monkeypatch):
    calls = []

    def fake_publish(**kwargs):
        calls.append(kwargs)
        return engine.PublishResult(pin_id=kwargs["pin_id"], success=True, status=PinStatus.PUBLISHED)

    monkeypatch.setattr(engine, "pin_publish", fake_publish)
    pin = make_pin(project=world["project"], board=world["board"], status=PinStatus.DRAFT)
    compose(member, world, action="publish", pin=pin)
    api_client(world["member"]).post(f"/api/pins/{pin.pk}/publish/")
    planner_call, api_call = calls
    assert planner_call["pin_id"] == api_call["pin_id"] == pin.pk
    assert planner_call["trigger"] == api_call["trigger"]
    assert planner_call["user"] == api_call["user"] == world["member"]


def test_retry_schedules_a_failed_pin_again_and_clears_its_failure(member, world):
    pin = make_pin(project=world["project"], board=world["board"], status=PinStatus.ERROR,
                   error_message="Pinterest refused the image.")
    page = member.get(f"/planner/pins/{pin.pk}/").content.decode()
    assert "failure-banner" in page and "Pinterest refused the image." in page
    response = member.post(f"/planner/pins/{pin.pk}/retry/")
    pin.refresh_from_db()
    assert response.status_code == 302
    assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.error_message == ""
    assert pin.scheduled_at <= timezone.now()


# --- refusals name their field, nothing half-written ---------------------------------------------


def test_schedule_without_a_time_names_the_time_and_creates_nothing(member, world):
    response = compose(member, world, action="schedule")
    assert response.context["form"].errors["scheduled_at"] == ["Give the date and time to publish at."]
    assert not Pin.objects.filter(title="Lemon cake").exists()


def test_a_time_in_the_past_is_the_schedule_rules_refusal_and_creates_nothing(member, world):
    response = compose(member, world, action="schedule", scheduled_at="2020-01-01T09:00")
    assert "past" in " ".join(response.context["form"].errors["scheduled_at"])
    assert not Pin.objects.filter(title="Lemon cake").exists()


def test_a_board_of_another_account_is_refused_on_board(member, world, tenant):
    other_board = make_board(connection=make_connection(tenant=tenant), name="Elsewhere")
    response = compose(member, world, action="draft", board=other_board.pk)
    assert "Elsewhere" in " ".join(response.context["form"].errors["board"])
    assert not Pin.objects.filter(title="Lemon cake").exists()
    assert "choose them again" in response.content.decode()


def test_a_title_longer_than_any_pin_keeps_is_refused_on_title(member, world):
    response = compose(member, world, action="draft", title="x" * 501)
    assert "at most 500" in " ".join(response.context["form"].errors["title"])


def test_queue_without_posting_slots_is_refused_and_the_new_pin_not_kept(member, world):
    response = compose(member, world, action="queue")
    assert "posting slots" in " ".join(response.context["form"].errors["project"])
    assert not Pin.objects.filter(title="Lemon cake").exists()


def test_publish_now_of_a_pin_without_board_names_board_and_keeps_the_edit_out(member, world, monkeypatch):
    monkeypatch.setattr(engine, "pin_publish", lambda **kwargs: pytest.fail("nothing may be sent"))
    pin = make_pin(project=world["project"], board=world["board"], status=PinStatus.DRAFT, title="Before")
    response = compose(member, world, action="publish", pin=pin, board="", title="After")
    assert "board" in response.context["form"].errors
    pin.refresh_from_db()
    assert pin.title == "Before" and pin.board_id == world["board"].pk


# --- the other kinds -----------------------------------------------------------------------------


def carousel_rows(count):
    """The composer's first ``count`` carousel rows, each with an image, a title and a link."""
    rows = {}
    for index in range(count):
        rows.update({f"carousel-{index}-image": image_upload(name=f"item{index}.png"),
                     f"carousel-{index}-title": f"Step {index + 1}",
                     f"carousel-{index}-link": f"https://www.kitchen.example/step-{index + 1}"})
    return rows


def test_a_carousel_is_composed_from_its_rows_each_with_its_texts(member, world):
    response = compose(member, world, action="draft", kind="carousel", image="", **carousel_rows(2))
    assert response.status_code == 302, response.context["form"].errors
    pin = Pin.objects.get(title="Lemon cake")
    items = list(pin.carousel_items.order_by("position"))
    assert pin.kind == "carousel" and [item.title for item in items] == ["Step 1", "Step 2"]
    assert items[1].link == "https://www.kitchen.example/step-2" and all(item.image for item in items)
    # An edit keeps the items by id, drops a removed one and says why the carousel is then too short.
    response = compose(member, world, action="draft", pin=pin, kind="carousel",
                       **{"carousel-0-id": items[0].pk, "carousel-0-title": "First",
                          "carousel-1-id": items[1].pk, "carousel-1-title": "Step 2", "carousel-1-remove": "on"})
    assert "2 to 5 images; 1 given" in " ".join(response.context["form"].carousel_errors())
    assert pin.carousel_items.count() == 2 and pin.carousel_items.get(position=0).title == "Step 1"


def test_only_the_chosen_kinds_media_is_sent(member, world):
    # A stray image URL left in the hidden image fields does not make a video pin two kinds.
    response = compose(member, world, action="draft", kind="video", image="",
                       image_url="https://img.example/stray.png", cover_image_url="https://img.example/cover.png")
    errors = response.context["form"].errors
    assert errors["video"] == ["Choose the video this pin shows."] and "image_url" not in errors
    assert not Pin.objects.filter(title="Lemon cake").exists()


def test_a_scheduled_pins_new_time_saved_is_its_new_schedule(member, world):
    soon = timezone.now() + timedelta(days=1)
    pin = make_pin(project=world["project"], board=world["board"], article=world["article"], scheduled_at=soon)
    day = (timezone.now() + timedelta(days=4)).astimezone(BERLIN).date()
    compose(member, world, action="draft", pin=pin, scheduled_at=f"{day:%Y-%m-%d}T07:15")
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE
    assert pin.scheduled_at == datetime.combine(day, time(7, 15), tzinfo=BERLIN)


def test_a_published_pin_cannot_be_changed_from_the_composer(member, world):
    pin = make_pin(project=world["project"], board=world["board"], status=PinStatus.PUBLISHED, title="Out")
    page = member.get(f"/planner/pins/{pin.pk}/").content.decode()
    assert 'name="action"' not in page
    response = compose(member, world, action="draft", pin=pin, title="Changed")
    pin.refresh_from_db()
    assert response.status_code == 302 and pin.title == "Out"


def test_a_tenant_without_projects_is_told_what_a_pin_needs(client, tenant):
    client.force_login(make_user(tenant=tenant))
    page = client.get("/planner/pins/new/").content.decode()
    assert "no project yet" in page and 'id="composer"' not in page


def test_a_video_pin_is_composed_with_its_cover(member, world):
    video = SimpleUploadedFile("clip.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4")
    response = compose(member, world, action="draft", kind="video", image="", video=video,
                       cover_image=image_upload(name="cover.png"))
    assert response.status_code == 302, response.context["form"].errors
    pin = Pin.objects.get(title="Lemon cake")
    assert pin.kind == "video" and pin.video and pin.cover_image and not pin.image
    page = member.get(f"/planner/pins/{pin.pk}/").content.decode()
    assert "<video" in page and pin.cover_image.url in page


def test_the_pins_list_makes_as_many_queries_for_thirty_pins_as_for_three(member, world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert member.get("/planner/pins/").status_code == 200
        return len(captured.captured_queries)

    for _ in range(3):
        make_pin(project=world["project"], board=world["board"], article=world["article"])
    few = queries()
    for _ in range(27):
        make_pin(project=world["project"], board=world["board"], article=world["article"])
    assert queries() == few


def test_a_carousel_is_saved_in_the_order_shown_each_item_keeping_its_texts(member, world):
    compose(member, world, action="draft", kind="carousel", image="", **{"carousel-order": "2,0,1,3,4"},
            **carousel_rows(3))
    pin = Pin.objects.get(project=world["project"])
    items = list(pin.carousel_items.order_by("position"))
    assert [(item.title, item.link[-6:]) for item in items] == [("Step 3", "step-3"), ("Step 1", "step-1"),
                                                               ("Step 2", "step-2")]
    # An edit moves the kept items (by id) as the page shows them, their texts with them.
    kept = {f"carousel-{position}-id": item.pk for position, item in enumerate(items)}
    kept.update({f"carousel-{position}-title": item.title for position, item in enumerate(items)})
    kept.update({f"carousel-{position}-link": item.link for position, item in enumerate(items)})
    compose(member, world, action="draft", pin=pin, kind="carousel", **{"carousel-order": "1,2,0,3,4"}, **kept)
    assert [item.title for item in pin.carousel_items.order_by("position")] == ["Step 1", "Step 2", "Step 3"]


def test_a_pin_link_is_saved_through_the_service_refused_on_its_field_and_shown_as_where_it_leads(member, world):
    compose(member, world, action="draft", link="https://www.kitchen.example/cake?utm_source=pinterest")
    pin = Pin.objects.exclude(pk=world["foreign"].pk).get()
    assert pin.link == "https://www.kitchen.example/cake?utm_source=pinterest"
    assert "Leads to https://www.kitchen.example/cake?utm_source=pinterest" in member.get(
        f"/planner/pins/{pin.pk}/").content.decode()

    response = compose(member, world, action="draft", pin=pin, link="ftp://www.kitchen.example/cake")
    assert response.context["form"].errors["link"] == ["Must be an http or https URL."]
    compose(member, world, action="draft", pin=pin, link="")
    assert Pin.objects.get(pk=pin.pk).link == ""
