"""The planner's bulk pages through Django's test client: images dropped become drafts titled by
their file names (each judged by the API's create, refusals listed, the rest kept, at most 50), and
an action applied to the pins selected on the list through the API's services, with one line per
pin; the list's labels; the service's root leading members to the planner."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from planner.bulk import title_from_filename
from planner.views_bulk import SUMMARY_KEY
from publishing.models import Pin, PinStatus
from publishing.services.queue_slots import project_slots_replace
from tests.factories import image_upload, make_article, make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    boards = [make_board(connection=connection, name=name) for name in ("Recipes", "Desserts")]
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin", name="Kitchen")
    article = make_article(project=project, url="https://www.kitchen.example/cake")
    return {"member": make_user(tenant=tenant), "boards": boards, "project": project, "article": article,
            "foreign": make_pin(title="Another tenant's pin")}


@pytest.fixture
def member(client, world):
    client.force_login(world["member"])
    return client


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def drop(client, world, images):
    return client.post(reverse("planner:bulk"), {
        "project": world["project"].pk, "article": world["article"].pk, "board": world["boards"][0].pk,
        "images": images})


def summary(client):
    return client.get(reverse("planner:pins")).context["summary"]


def pin_of(world, **fields):
    return make_pin(project=world["project"], board=world["boards"][0], article=world["article"], **fields)


def apply(client, pins, action, **fields):
    return client.post(reverse("planner:pins-apply"), {"pins": [str(pin.pk) for pin in pins], "action": action,
                                                       **fields})


def test_a_file_name_becomes_a_clean_title():
    assert title_from_filename("lemon_cake--in-20_minutes.final.JPG") == "lemon cake in 20 minutes.final"
    assert title_from_filename("C:\\photos\\summer__salad.png") == "summer salad"
    assert len(title_from_filename("x" * 300 + ".png")) == 100


def test_dropped_images_become_drafts_and_a_refused_file_is_listed_with_nothing_written(member, world):
    before = stored_files()
    response = drop(member, world, [image_upload("lemon_cake.png"), image_upload("tiny-one.png", 40, 40),
                                    image_upload("summer-salad.png")])
    assert response.status_code == 302 and response.url == reverse("planner:bulk")
    pins = Pin.objects.filter(project=world["project"]).order_by("title")
    assert [pin.title for pin in pins] == ["lemon cake", "summer salad"]
    assert {pin.status for pin in pins} == {PinStatus.DRAFT} and {pin.board for pin in pins} == {world["boards"][0]}
    page = member.get(reverse("planner:bulk"))
    lines = page.context["summary"]["lines"]
    assert [(line["name"], line["done"]) for line in lines] == [
        ("lemon_cake.png", True), ("tiny-one.png", False), ("summer-salad.png", True)]
    assert "100" in lines[1]["text"] and "Not created" in lines[1]["text"]
    assert b"2 of 3 images made drafts" in page.content
    assert len(stored_files() - before) == 2  # the drafts' images; the refused file was never kept
    assert member.get(reverse("planner:bulk")).context["summary"] is None  # said once


def test_more_than_fifty_images_create_nothing_and_say_the_limit(member, world):
    response = drop(member, world, [image_upload(f"p{n}.png", 120, 120) for n in range(51)])
    assert response.status_code == 200
    assert "At most 50 images at a time: you chose 51" in response.content.decode()
    assert not Pin.objects.filter(project=world["project"]).exists()


def test_selected_pins_move_to_another_board(member, world):
    pins = [pin_of(world, title=f"Pin {n}") for n in range(3)]
    apply(member, pins, "board", board=world["boards"][1].pk)
    assert {pin.board_id for pin in Pin.objects.filter(pk__in=[p.pk for p in pins])} == {world["boards"][1].pk}
    assert [line["text"] for line in summary(member)["lines"]] == ["Moved to Desserts."] * 3


def test_selected_pins_are_queued_and_a_refused_one_is_listed_while_the_rest_are_kept(member, world):
    project_slots_replace(project=world["project"], slots=[(day, time(9)) for day in range(7)])
    ready = pin_of(world, title="Has a board")
    published = pin_of(world, title="Already out", status=PinStatus.PUBLISHED, published_at=timezone.now())
    apply(member, [ready, published], "queue")
    ready.refresh_from_db()
    published.refresh_from_db()
    assert ready.status == PinStatus.READY_TO_SCHEDULE and published.status == PinStatus.PUBLISHED
    lines = summary(member)["lines"]
    assert lines[0]["done"] and "Queued" in lines[0]["text"]
    assert not lines[1]["done"] and "published" in lines[1]["text"].lower()


def test_selected_pins_are_scheduled_spaced_from_a_start_in_the_projects_zone(member, world):
    pins = [pin_of(world, title=f"Pin {n}") for n in range(3)]
    day = (timezone.now() + timedelta(days=3)).astimezone(BERLIN).date()
    apply(member, pins, "schedule", start_at=f"{day:%Y-%m-%d}T18:00", every=2, unit="hours")
    first = datetime.combine(day, time(18), tzinfo=BERLIN)
    for k, pin in enumerate(pins):
        pin.refresh_from_db()
        assert pin.status == PinStatus.READY_TO_SCHEDULE and pin.scheduled_at == first + timedelta(hours=2 * k)
    assert all(line["text"].startswith("Scheduled for") for line in summary(member)["lines"])


def test_selected_pins_are_deleted_and_a_published_one_is_refused(member, world):
    draft = pin_of(world, title="Old draft")
    publishing = pin_of(world, title="On its way", status=PinStatus.PUBLISHING)
    apply(member, [draft, publishing], "delete")
    assert not Pin.objects.filter(pk=draft.pk).exists() and Pin.objects.filter(pk=publishing.pk).exists()
    lines = summary(member)["lines"]
    assert [line["done"] for line in lines] == [True, False]


def test_publish_now_on_selected_pins_says_each_pins_outcome(member, world):
    boardless = pin_of(world, title="No board")
    Pin.objects.filter(pk=boardless.pk).update(board=None)
    apply(member, [boardless], "publish")
    (line,) = summary(member)["lines"]
    assert not line["done"] and line["text"].startswith("Not published:")


def test_another_tenants_pin_cannot_be_selected(member, world):
    response = apply(member, [world["foreign"]], "delete")
    assert response.status_code == 302
    assert Pin.objects.filter(pk=world["foreign"].pk).exists()
    assert SUMMARY_KEY not in member.session


def test_a_spaced_schedule_needs_its_start(member, world):
    pin = pin_of(world, status=PinStatus.DRAFT)
    apply(member, [pin], "schedule", every=1, unit="days")
    pin.refresh_from_db()
    assert pin.status == PinStatus.DRAFT
    messages = [str(message) for message in member.get(reverse("planner:pins")).context["messages"]]
    assert any("First at: Give the date and time" in text for text in messages)


def test_the_list_labels_a_ready_pin_with_its_time_scheduled(member, world):
    pin_of(world, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now() + timedelta(days=1))
    pin_of(world, status=PinStatus.ERROR)
    labels = {card["label"] for card in member.get(reverse("planner:pins")).context["cards"]}
    assert labels == {"Scheduled", "Failed"}


def test_the_root_leads_a_member_to_the_planner_and_an_operator_to_the_admin(client, world):
    assert client.get("/", follow=True).redirect_chain[-1][0].startswith(reverse("planner:login"))
    client.force_login(world["member"])
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("planner:pins")
    operator = get_user_model().objects.create_superuser("operator", password="pw-for-tests-only")
    client.force_login(operator)
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("admin:index")
