"""The planner's calendar through Django's test client: the week, month and agenda in the project's
zone (across the tenant, the first project's, named), pins looking like their kind, free queue slots
and drafts; a move is the API's schedule service (same rule, same refusals, in JSON for the script
and as a plain form), and the month's query count does not grow with the pins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from publishing.models import CarouselItem, Pin, PinKind, PinStatus
from publishing.services.queue_slots import project_slots_replace
from tests.factories import api_client, make_article, make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = "/planner/calendar/"


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection, name="Recipes")
    project = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin", name="Kitchen")
    article = make_article(project=project)
    return {"member": make_user(tenant=tenant), "board": board, "project": project, "article": article,
            "tenant": tenant}


@pytest.fixture
def member(client, world):
    client.force_login(world["member"])
    return client


def berlin(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = (timezone.now() + timedelta(days=day_offset)).astimezone(BERLIN).date()
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def pin_in(world, **fields):
    return make_pin(**{"project": world["project"], "board": world["board"], "article": world["article"], **fields})


def move(client, pin, at, *, json=True, **extra):
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("planner:calendar-move", args=[pin.pk]), {"at": at, **extra}, **headers)


def test_the_month_shows_pins_on_their_day_in_the_projects_zone(member, world):
    # 00:30 in Berlin is the previous day in UTC: the pin is on Berlin's day.
    at = berlin(3, 0, 30)
    pin = pin_in(world, title="Midnight cake", scheduled_at=at)
    page = member.get(CALENDAR, {"view": "month", "project": world["project"].pk, "date": at.date().isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Europe/Berlin" in html
    day = page.context["cal"].days
    [entry] = [e for d in day for e in d.pins]
    assert entry.pin == pin and entry.at.date() == at.date() and entry.time == "00:30"


def test_across_the_tenant_the_calendar_is_in_the_first_projects_zone_and_names_it(member, world):
    other = make_project(tenant=world["tenant"], name="Zoo", timezone="America/New_York")
    at = berlin(2, 15)
    make_pin(project=other, board=world["board"], scheduled_at=at, title="Far away")
    page = member.get(CALENDAR, {"view": "agenda", "date": at.date().isoformat()})
    html = page.content.decode()
    assert "the zone of Kitchen" in html and "Europe/Berlin" in html
    [entry] = [e for d in page.context["cal"].days for e in d.pins]
    assert entry.time == "15:00" and entry.own_time.startswith("09:00 E")  # its own zone, named
    assert "09:00 E" in html


def test_pins_look_like_their_kind_carousel_first_image_video_cover(member, world):
    at = berlin(2, 10)
    carousel = pin_in(world, kind=PinKind.CAROUSEL, with_image=False, scheduled_at=at, title="Carousel")
    for position in range(2):
        CarouselItem.objects.create(pin=carousel, position=position, image_url=f"https://img.example/{position}.png")
    pin_in(world, kind=PinKind.VIDEO, with_image=False, cover_image_url="https://img.example/cover.png",
           video=SimpleUploadedFile("v.mp4", b"\x00" * 100, content_type="video/mp4"),
           scheduled_at=at + timedelta(hours=1), title="Video")
    html = member.get(CALENDAR, {"view": "agenda", "project": world["project"].pk,
                                 "date": at.date().isoformat()}).content.decode()
    assert 'src="https://img.example/0.png"' in html and 'src="https://img.example/cover.png"' in html
    assert "cal-kind-carousel" in html and "cal-kind-video" in html and 'title="Carousel"' in html


def test_free_queue_slots_and_drafts_are_shown(member, world):
    project_slots_replace(project=world["project"], slots=[(day, time(9)) for day in range(7)])
    taken = berlin(2, 9)
    pin_in(world, scheduled_at=taken)
    pin_in(world, status=PinStatus.DRAFT, title="A draft to place")
    page = member.get(CALENDAR, {"view": "week", "project": world["project"].pk, "date": taken.date().isoformat()})
    days = {d.day: d for d in page.context["cal"].days}
    assert days[taken.date()].slots == []  # the pin holds its slot
    assert [slot.at for slot in days[berlin(3, 9).date()].slots] == [berlin(3, 9)]
    assert [d.pin.title for d in page.context["cal"].drafts] == ["A draft to place"]
    assert "A draft to place" in page.content.decode()


def test_a_move_is_the_apis_schedule_same_pin_and_same_answer(member, world):
    pin, twin = pin_in(world, scheduled_at=berlin(2, 9)), pin_in(world, scheduled_at=berlin(2, 9))
    target = berlin(4, 18, 15)
    response = move(member, pin, target.isoformat())
    assert response.status_code == 200 and response.json()["ok"]
    assert "Moved to" in response.json()["message"]
    api = api_client(world["member"]).post(f"/api/pins/{twin.pk}/schedule/", {"scheduled_at": target.isoformat()},
                                           format="json")
    assert api.status_code == 200
    pin.refresh_from_db()
    twin.refresh_from_db()
    assert pin.scheduled_at == twin.scheduled_at == target and pin.status == twin.status


def test_a_time_typed_without_offset_is_read_in_the_pins_project_zone(member, world):
    pin = pin_in(world, scheduled_at=berlin(2, 9))
    day = berlin(5, 0).date()
    response = move(member, pin, f"{day:%Y-%m-%d}T07:45", json=False, next=f"{CALENDAR}?view=week")
    assert response.status_code == 302 and response["Location"] == f"{CALENDAR}?view=week"
    pin.refresh_from_db()
    assert pin.scheduled_at == datetime.combine(day, time(7, 45), tzinfo=BERLIN)


@pytest.mark.parametrize("case", ["past", "too far", "archived board", "published"])
def test_a_refused_move_answers_the_services_reason_and_changes_nothing(member, world, case):
    pin = pin_in(world, scheduled_at=berlin(2, 9))
    at = berlin(3, 9).isoformat()
    if case == "past":
        at, reason = berlin(-2, 9).isoformat(), "in the past"
    elif case == "too far":
        at, reason = berlin(4000, 9).isoformat(), "days ahead"
    elif case == "archived board":
        world["board"].is_archived = True
        world["board"].save()
        reason = "archived"
    else:
        Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHED, published_at=timezone.now())
        reason = "Pin is published"
    before = Pin.objects.get(pk=pin.pk)
    response = move(member, pin, at)
    assert response.status_code == (409 if case == "published" else 400)
    assert not response.json()["ok"] and reason in response.json()["error"]
    after = Pin.objects.get(pk=pin.pk)
    assert (after.scheduled_at, after.status, after.updated_at) == (before.scheduled_at, before.status,
                                                                    before.updated_at)


def test_a_refused_form_move_goes_back_with_the_reason(member, world):
    pin = pin_in(world, scheduled_at=berlin(2, 9))
    response = move(member, pin, berlin(-1, 9).isoformat(), json=False, next="https://elsewhere.example/")
    assert response.status_code == 302 and response["Location"] == CALENDAR  # never off-site
    page = member.get(CALENDAR)
    assert "Not moved: This time is in the past" in page.content.decode()


def test_a_draft_dropped_on_a_free_slot_is_scheduled_there(member, world):
    project_slots_replace(project=world["project"], slots=[(day, time(9)) for day in range(7)])
    draft = pin_in(world, status=PinStatus.DRAFT)
    slot = berlin(3, 9)
    response = move(member, draft, slot.isoformat())
    assert response.json()["message"].startswith("Scheduled for")
    draft.refresh_from_db()
    assert draft.status == PinStatus.READY_TO_SCHEDULE and draft.scheduled_at == slot


def test_a_move_needs_the_csrf_token_and_the_members_own_pin(world):
    foreign = make_pin(scheduled_at=berlin(2, 9))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["member"])
    pin = pin_in(world, scheduled_at=berlin(2, 9))
    assert move(strict, pin, berlin(3, 9).isoformat()).status_code == 403
    loose = Client()
    loose.force_login(world["member"])
    assert move(loose, foreign, berlin(3, 9).isoformat()).status_code == 404
    assert loose.get(reverse("planner:calendar-move", args=[pin.pk])).status_code == 405


def test_a_click_on_an_empty_time_opens_the_composer_at_that_time(member, world):
    other = make_project(tenant=world["tenant"], name="Zoo", timezone="America/New_York")
    page = member.get("/planner/pins/new/", {"at": "2031-05-04T18:30", "project": other.pk})
    form = page.context["form"]
    assert form["scheduled_at"].value() == "2031-05-04T18:30" and form["project"].value() == other.pk
    assert 'value="2031-05-04T18:30"' in page.content.decode()
    week = member.get(CALENDAR, {"view": "week", "project": world["project"].pk}).content.decode()
    assert f"/planner/pins/new/?project={world['project'].pk}&amp;at=" in week


@pytest.mark.parametrize("view", ["week", "month", "agenda"])
def test_every_view_renders_for_the_tenant_and_for_a_project(member, world, view):
    pin_in(world, scheduled_at=berlin(1, 9))
    for params in ({"view": view}, {"view": view, "project": world["project"].pk, "status": "ready_to_schedule"}):
        assert member.get(CALENDAR, params).status_code == 200


def month_queries(client, project):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CALENDAR, {"view": "month", "project": project.pk})
    assert response.status_code == 200
    return len(queries)


def test_the_month_views_query_count_is_the_same_for_few_and_many_pins(member, world):
    project_slots_replace(project=world["project"], slots=[(day, time(9)) for day in range(7)])
    start = timezone.now().astimezone(BERLIN).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    pin_in(world, scheduled_at=start)
    pin_in(world, status=PinStatus.DRAFT)
    few = month_queries(member, world["project"])
    image = Pin.objects.filter(image__gt="").values_list("image", flat=True).first()
    kinds = [PinKind.IMAGE, PinKind.CAROUSEL, PinKind.VIDEO]
    pins = [Pin(project=world["project"], article=world["article"], board=world["board"], kind=kinds[n % 3],
                image=image, cover_image_url="https://img.example/c.png", title=f"Pin {n}",
                status=PinStatus.PUBLISHED if n % 2 else PinStatus.READY_TO_SCHEDULE,
                scheduled_at=start + timedelta(hours=n), published_at=start + timedelta(hours=n) if n % 2 else None)
            for n in range(300)]
    Pin.objects.bulk_create(pins)
    CarouselItem.objects.bulk_create([CarouselItem(pin=pin, position=0, image_url="https://img.example/1.png")
                                      for pin in pins if pin.kind == PinKind.CAROUSEL])
    Pin.objects.bulk_create([Pin(project=world["project"], article=world["article"], title=f"Draft {n}")
                             for n in range(40)])
    assert month_queries(member, world["project"]) == few


@pytest.mark.parametrize("view", ["week", "month", "agenda"])
def test_a_tenant_without_projects_gets_an_empty_calendar_in_the_servers_zone(client, view):
    client.force_login(make_user())
    page = client.get(CALENDAR, {"view": view})
    assert page.status_code == 200 and page.context["cal"].drafts == []
    assert all(day.is_empty for day in page.context["cal"].days)


def test_the_board_filter_keeps_the_boards_pins_and_drafts(member, world):
    other = make_board(connection=world["board"].connection, name="Desserts")
    at = berlin(2, 10)
    kept = pin_in(world, scheduled_at=at, title="On recipes")
    pin_in(world, board=other, scheduled_at=at + timedelta(hours=1), title="On desserts")
    pin_in(world, board=other, status=PinStatus.DRAFT, title="Dessert draft")
    page = member.get(CALENDAR, {"view": "agenda", "board": world["board"].pk, "date": at.date().isoformat()})
    assert [e.pin for d in page.context["cal"].days for e in d.pins] == [kept]
    assert page.context["cal"].drafts == []
    assert f'value="{world["board"].pk}" selected' in page.content.decode()


def test_the_account_filter_keeps_its_projects_pins_drafts_and_boards_and_ignores_another_tenants(member, world):
    tenant = world["tenant"]
    project_slots_replace(project=world["project"], slots=[(day, time(9)) for day in range(7)])
    second = make_connection(tenant=tenant, username="desserts")
    desserts = make_board(connection=second, name="Desserts")
    bakery = make_project(tenant=tenant, connection=second, timezone="Europe/Berlin", name="Bakery")
    at = berlin(2, 10)
    kitchen_pin = pin_in(world, scheduled_at=at, title="Kitchen pin")
    pin_in(world, status=PinStatus.DRAFT, title="Kitchen draft")
    bakery_pin = make_pin(project=bakery, board=desserts, scheduled_at=at + timedelta(hours=1), title="Bakery pin")
    make_pin(project=bakery, board=None, status=PinStatus.DRAFT, title="Bakery draft")
    day = {"view": "agenda", "date": at.date().isoformat()}

    page = member.get(CALENDAR, {**day, "account": second.pk})
    assert [e.pin for d in page.context["cal"].days for e in d.pins] == [bakery_pin]
    assert [e.pin.title for e in page.context["cal"].drafts] == ["Bakery draft"]
    assert list(page.context["boards"]) == [desserts]
    html = page.content.decode()
    assert f'<option value="{second.pk}" selected>@desserts</option>' in html and "Recipes" not in html
    assert "account=" in page.context["qs"]  # the views' and dates' links keep the account
    # The board of another account is ignored; the project of another account has no pins and no free slots.
    page = member.get(CALENDAR, {**day, "account": second.pk, "board": world["board"].pk})
    assert page.context["query"].board_id is None
    assert [e.pin for d in page.context["cal"].days for e in d.pins] == [bakery_pin]
    page = member.get(CALENDAR, {**day, "account": second.pk, "project": world["project"].pk})
    assert all(d.is_empty for d in page.context["cal"].days) and page.context["cal"].drafts == []
    assert "publishes through another account" in page.content.decode()

    theirs = make_connection(username="theirs")
    page = member.get(CALENDAR, {**day, "account": theirs.pk})
    assert page.context["query"].connection_id is None
    assert [e.pin for d in page.context["cal"].days for e in d.pins] == [kitchen_pin, bakery_pin]
    assert len(page.context["cal"].drafts) == 2 and "@theirs" not in page.content.decode()


def test_a_time_sent_is_an_instant_with_its_offset_or_a_wall_time_read_as_a_queue_slot():
    from datetime import UTC

    from planner.calendar_query import parse_at

    assert parse_at("2030-06-01T10:00:00Z", zone=BERLIN) == datetime(2030, 6, 1, 10, tzinfo=UTC)
    # 02:30 happens twice in Berlin that night: the first (summer time); it does not exist in spring: the gap's end.
    assert parse_at("2026-10-25T02:30", zone=BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse_at("2026-03-29T02:30", zone=BERLIN) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        parse_at("tomorrow", zone=BERLIN)


def test_the_week_starts_early_enough_for_its_earliest_pin(member, world):
    at = berlin(2, 3, 15)
    pin_in(world, scheduled_at=at)
    page = member.get(CALENDAR, {"view": "week", "project": world["project"].pk, "date": at.date().isoformat()})
    assert page.context["cal"].hours[0] == 3
    [day] = [d for d in page.context["cal"].days if d.day == at.date()]
    assert [e.pin.scheduled_at for e in day.hours[0].pins] == [at]
