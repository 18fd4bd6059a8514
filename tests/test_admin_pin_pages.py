"""The pin pages a person works from: what the change page offers for each status, the image,
the list's times (with their zone), the actions' messages (plurals, skipped pins)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from publishing.models import MediaState, Pin, PinKind, PinStatus, PublishBatch
from publishing.services.queue_slots import project_slots_replace
from tests.factories import image_upload, make_pin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    """A client logged in as the staff owner of a tenant with one pin, and that pin."""
    pin = make_pin(status=PinStatus.DRAFT)
    client.force_login(make_user(tenant=pin.project.tenant, is_staff=True))
    return client, pin


def change_page(client, pin):
    response = client.get(reverse("admin:publishing_pin_change", args=[pin.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_pin_is_shown_without_save_or_delete_but_with_its_image(staff):
    client, pin = staff
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHED, pinterest_pin_id="99",
                                               pinterest_pin_url="https://www.pinterest.com/pin/99/")
    body = change_page(client, pin)
    assert 'name="_save"' not in body and 'name="_continue"' not in body
    assert "deletelink" not in body
    assert 'class="pp-preview"' in body and pin.image.url in body


def test_a_published_pins_times_are_shown_in_its_projects_zone(staff):
    client, pin = staff
    type(pin.project).objects.filter(pk=pin.project_id).update(timezone="Europe/Berlin")
    type(pin).objects.filter(pk=pin.pk).update(
        status=PinStatus.PUBLISHED, scheduled_at=datetime(2030, 1, 15, 8, 0, tzinfo=UTC),
        published_at=datetime(2030, 1, 15, 8, 1, tzinfo=UTC),
    )
    body = change_page(client, pin)
    assert "Jan. 15, 2030, 9 a.m. CET" in body and "9:01 a.m. CET" in body
    assert "8 a.m. UTC" not in body


@pytest.mark.parametrize("with_cover", [True, False])
def test_a_published_video_pin_plays_its_stored_video_with_its_cover(staff, with_cover):
    client, pin = staff
    video = make_pin(project=pin.project, board=pin.board, kind=PinKind.VIDEO, with_image=False,
                     status=PinStatus.PUBLISHED, video="videos/2030/01/clip.mp4", media_state=MediaState.SUCCEEDED,
                     media_id="media-1", pinterest_pin_id="99", pinterest_pin_url="https://www.pinterest.com/pin/99/",
                     cover_key_frame_seconds=None if with_cover else 2)
    if with_cover:
        video.cover_image.save("cover.png", image_upload().file)
    body = change_page(client, video)
    poster = video.cover_image.url if with_cover else ""
    assert f'<video src="{video.video.url}" poster="{poster}" controls' in body
    assert "no image yet" not in body
    if with_cover:
        assert f'class="pp-preview" src="{video.cover_image.url}"' in body
    else:
        assert "the video&#x27;s frame at 2 s" in body or "the video's frame at 2 s" in body


@pytest.mark.parametrize("zone, scheduled_at", [
    ("Mars/Phobos", datetime(2030, 1, 15, 8, 0, tzinfo=UTC)),  # a stored name that is no zone
    ("", datetime(2030, 1, 15, 8, 0, tzinfo=UTC)),
    ("Europe/Berlin", datetime(9999, 12, 31, 23, 30, tzinfo=UTC)),  # no date in Berlin (year 10000)
])
def test_a_pins_page_falls_back_to_utc_when_its_projects_zone_cannot_show_its_times(
    staff, zone, scheduled_at
):
    client, pin = staff
    type(pin.project).objects.filter(pk=pin.project_id).update(timezone=zone)
    type(pin).objects.filter(pk=pin.pk).update(scheduled_at=scheduled_at)
    body = change_page(client, pin)
    assert "In UTC: the project's time zone" in body and "cannot show this pin" in body


def test_a_draft_pin_keeps_save_and_delete_and_a_title_input_wide_enough(staff):
    client, pin = staff
    body = change_page(client, pin)
    assert 'name="_save"' in body and "deletelink" in body
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', body).group(0)
    assert 'size="80"' in title_input


def test_a_failed_pins_internal_times_are_read_only_text(staff):
    client, pin = staff
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.ERROR, error_message="Board not found.",
                                               claimed_at=timezone.now(), publishing_started_at=timezone.now())
    body = change_page(client, pin)
    for internal in ("claimed_at", "publishing_started_at", "published_at", "status"):
        assert f'name="{internal}"' not in body and f'name="{internal}_0"' not in body
    assert "Claimed at" in body and " UTC" in body


def test_the_pins_list_names_the_zone_of_every_time(staff):
    client, pin = staff
    when = timezone.now() + timedelta(days=2)
    type(pin).objects.filter(pk=pin.pk).update(scheduled_at=when)
    body = client.get(reverse("admin:publishing_pin_changelist")).content.decode()
    assert re.search(r'class="field-scheduled">[^<]+ UTC<', body), body


@pytest.mark.parametrize("status", [PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHED])
def test_the_pins_list_shows_a_time_with_no_date_in_the_projects_zone_in_utc(staff, status):
    client, pin = staff
    type(pin.project).objects.filter(pk=pin.project_id).update(timezone="Asia/Tokyo")
    beyond = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)  # stored before the schedule window existed
    type(pin).objects.filter(pk=pin.pk).update(status=status, scheduled_at=beyond, published_at=beyond)
    response = client.get(reverse("admin:publishing_pin_changelist"))
    assert response.status_code == 200
    assert "Dec. 31, 9999, 11 p.m. UTC" in response.content.decode()


def test_a_published_pin_links_to_pinterest_and_in_the_demo_to_the_stand_ins_page(staff, settings):
    client, pin = staff
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHED, pinterest_pin_id="99",
                                               pinterest_pin_url="https://www.pinterest.com/pin/99/")
    url = reverse("admin:publishing_pin_changelist")
    body = client.get(url).content.decode()
    assert "https://www.pinterest.com/pin/99/" in body and "standin-pin-page" not in body
    settings.PINTEREST_STANDIN_PIN_PAGE = "http://127.0.0.1:8765/_standin/pins/{pin_id}/"
    body = client.get(url).content.decode()
    assert "https://www.pinterest.com/pin/99/" in body
    assert 'href="http://127.0.0.1:8765/_standin/pins/99/"' in body


def act(client, action, pins):
    response = client.post(
        reverse("admin:publishing_pin_changelist"),
        {"action": action, "_selected_action": [str(p.pk) for p in pins]},
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    client.get(response.url)  # shows (and so uses up) the messages
    return messages


def every_day_at(project, *hours):
    """Give ``project`` posting slots every day at these hours (its zone): drafts without a time
    join its queue."""
    project_slots_replace(project=project, slots=[(day, time(hour)) for day in range(7) for hour in hours])


def test_mark_ready_and_retry_failed_say_one_pin_and_two_pins(staff):
    client, pin = staff
    every_day_at(pin.project, 9, 18)
    other = make_pin(project=pin.project, board=pin.board, status=PinStatus.DRAFT)
    assert act(client, "mark_ready", [pin]) == ["1 draft pin marked ready to schedule."]
    type(pin).objects.filter(pk__in=[pin.pk, other.pk]).update(status=PinStatus.DRAFT)
    assert act(client, "mark_ready", [pin, other]) == ["2 draft pins marked ready to schedule."]
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.ERROR)
    assert act(client, "retry_failed", [pin]) == ["1 failed pin is ready to schedule again."]


def test_mark_ready_queues_a_carousel_and_a_video_draft(staff):
    client, pin = staff
    every_day_at(pin.project, 9, 18)
    carousel = make_pin(project=pin.project, board=pin.board, status=PinStatus.DRAFT, kind=PinKind.CAROUSEL,
                        with_image=False)
    video = make_pin(project=pin.project, board=pin.board, status=PinStatus.DRAFT, kind=PinKind.VIDEO,
                     with_image=False, video="videos/clip.mp4")
    assert act(client, "mark_ready", [carousel, video]) == ["2 draft pins marked ready to schedule."]
    pins = Pin.objects.filter(pk__in=[carousel.pk, video.pk])
    assert {p.status for p in pins} == {PinStatus.READY_TO_SCHEDULE}
    assert all(p.scheduled_at is not None and p.scheduled_at > timezone.now() for p in pins)


def test_mark_ready_of_a_draft_with_no_time_and_no_posting_slots_says_why_it_stays_a_draft(staff):
    client, pin = staff
    assert act(client, "mark_ready", [pin]) == [
        f"“{pin}” stays a draft: The pin has no time of its own and cannot join its project's queue: Project "
        f"{pin.project.name!r} has no posting slots; add weekly slots first. Or schedule the pin at a time.",
    ]
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.DRAFT


def test_retry_failed_of_a_failed_video_pin_makes_it_due_now(staff):
    client, pin = staff
    video = make_pin(project=pin.project, board=pin.board, status=PinStatus.ERROR, kind=PinKind.VIDEO,
                     with_image=False, video="videos/clip.mp4", error_message="Processing failed.")
    before = timezone.now()
    assert act(client, "retry_failed", [video, pin]) == [
        "1 failed pin is ready to schedule again.", "1 selected pin has not failed: left as it is.",
    ]
    video = Pin.objects.get(pk=video.pk)
    assert video.status == PinStatus.READY_TO_SCHEDULE and before <= video.scheduled_at <= timezone.now()


def test_publish_now_of_an_already_published_pin_says_skipped_and_the_batch_counts_it(staff, monkeypatch):
    client, pin = staff
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHED, pinterest_pin_id="99")
    (message,) = act(client, "publish_now", [pin])
    assert message.startswith("1 pin already published: skipped: <a href=")
    batch = PublishBatch.objects.get()
    assert batch.finished_at is not None
    body = client.get(reverse("admin:publishing_publishbatch_change", args=[batch.pk])).content.decode()
    assert "already published: skipped" in body


def test_publish_now_of_pins_to_publish_says_how_many_in_the_plural(staff, monkeypatch):
    client, pin = staff
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    other = make_pin(project=pin.project, board=pin.board, status=PinStatus.READY_TO_SCHEDULE)
    type(pin).objects.filter(pk=pin.pk).update(status=PinStatus.READY_TO_SCHEDULE)
    (message,) = act(client, "publish_now", [pin, other])
    assert message.startswith("Publishing 2 pins in the background: <a href=")


def test_the_carousel_rows_inputs_are_sized_so_a_row_fits_the_page_with_a_readable_title(staff):
    client, pin = staff
    body = change_page(client, pin)
    for field, width in (("title", "12em"), ("image_url", "16em"), ("link", "14em")):
        tag = re.search(rf'<input[^>]*name="carousel_items-0-{field}"[^>]*>', body).group(0)
        assert f'style="width:{width}"' in tag, tag
    assert re.search(r'<textarea[^>]*name="carousel_items-0-description"[^>]*cols="24"', body)


def test_the_scheduled_at_input_names_the_zone_a_typed_time_is_read_in(admin_user_client, tenant, settings):
    from django.urls import reverse

    from tests.factories import make_pin, make_project

    pin = make_pin(project=make_project(tenant=tenant, timezone="America/New_York"))
    page = admin_user_client.get(reverse("admin:publishing_pin_change", args=[pin.pk])).content.decode()
    assert "In America/New_York, the time zone of the pin" in page
    assert settings.TIME_ZONE == "UTC" and "In UTC" not in page
