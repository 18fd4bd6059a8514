"""Carousels, videos and board sections published against the stand-in: Pinterest's media flow
end to end (register, streamed upload, processing), every way it fails, a crash between the
upload and the create, and a lost answer on the create, never a duplicate."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pinterest.models import BoardSection
from publishing.engine import PinValidationError, lease, pin_build_payload, pin_publish, pin_reconcile
from publishing.engine.context import Caller, context_for
from publishing.engine.create import publish_claimed
from publishing.engine.video import MSG_PROCESSING_FAILED, MSG_VIDEO_MISSING, media_ready
from publishing.models import MediaState, Pin, PinKind, PinStatus
from publishing.selectors import pins_with_relations
from publishing.services import content
from tests.factories import make_article, make_project, png_bytes
from tests.publishing.helpers import create_calls, standin_account

pytestmark = pytest.mark.django_db

DEMO_VIDEO = Path(__file__).resolve().parents[3] / "publishing" / "services" / "demo_assets" / "demo-video.mp4"


def reload(pin):
    return Pin.objects.get(pk=pin.pk)


@pytest.fixture
def account(standin):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)
    return connection, board, project, article


def video_pin(account, **fields):
    connection, board, project, article = account
    video = SimpleUploadedFile("clip.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4")
    return content.pin_create(tenant=connection.tenant, project_id=project.pk, article_id=article.pk,
                              board_id=board.pk, title="Soup in a minute", video=video, **fields)


def carousel_pin(account, items, **fields):
    connection, board, project, article = account
    return content.pin_create(tenant=connection.tenant, project_id=project.pk, article_id=article.pk,
                              board_id=board.pk, title="Step by step", carousel=items, **fields)


def upload(name, width=300, height=400, color=(200, 30, 30)):
    return SimpleUploadedFile(name, png_bytes(width, height, color), content_type="image/png")


def media_uploads(standin):
    """Uploads the stand-in took (refused ones are calls too)."""
    return [call for call in standin.calls if call.endpoint == "media_upload" and call.status == 204]


def test_a_video_pin_is_registered_uploaded_processed_and_created_with_its_media(standin, account):
    pin = video_pin(account, cover_key_frame_seconds=2)
    result = pin_publish(pin_id=pin.pk)
    pin = reload(pin)
    assert result.success and pin.status == PinStatus.PUBLISHED
    assert pin.media_state == MediaState.SUCCEEDED and pin.media_id
    (creation,) = standin.creations
    assert (creation.media_kind, creation.media_id) == ("video", pin.media_id)
    media = standin.media(pin.media_id)
    assert media.upload_count == 1 and media.size == DEMO_VIDEO.stat().st_size
    body = pin_build_payload(pin=pin)["media_source"]
    assert body == {"source_type": "video_id", "media_id": pin.media_id, "cover_image_key_frame_time": 2}


def test_a_video_pin_waits_for_processing_with_backoff(standin, account):
    standin.set_media_processing_seconds(1.5)
    pin = video_pin(account)
    result = pin_publish(pin_id=pin.pk)
    assert result.success
    polls = [call for call in standin.calls if call.endpoint == "get_media"]
    assert len(polls) >= 2  # processing at first, then succeeded


def test_processing_that_fails_ends_the_pin_in_error_and_forgets_the_media(standin, account):
    standin.fail_next_media_processing(reason="Video is shorter than 4 seconds")
    pin = video_pin(account)
    result = pin_publish(pin_id=pin.pk)
    pin = reload(pin)
    assert not result.success and pin.status == PinStatus.ERROR
    assert pin.error_message.startswith(MSG_PROCESSING_FAILED.format(reason="")[:40])
    assert (pin.media_id, pin.media_state) == ("", MediaState.FAILED)
    assert create_calls(standin) == 0


def test_an_upload_pinterest_refuses_ends_the_pin_in_error_without_a_create(standin, account):
    standin.fail_next_upload(status=403)
    pin = video_pin(account)
    result = pin_publish(pin_id=pin.pk)
    pin = reload(pin)
    assert not result.success and pin.status == PinStatus.ERROR
    assert "refused the video" in pin.error_message
    assert create_calls(standin) == 0
    # Publishing again registers a new media and uploads it.
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.ERROR)
    assert pin_publish(pin_id=pin.pk).success
    assert len(media_uploads(standin)) == 1


def test_a_video_gone_from_storage_ends_the_pin_in_error_with_a_message(standin, account):
    pin = video_pin(account)
    pin.video.storage.delete(pin.video.name)
    result = pin_publish(pin_id=pin.pk)
    assert not result.success and reload(pin).error_message == MSG_VIDEO_MISSING
    assert media_uploads(standin) == [] and create_calls(standin) == 0


def test_a_crash_between_upload_and_create_resumes_with_the_same_media(standin, account, settings):
    pin = video_pin(account, cover_image_url="https://i.example.com/cover.jpg")
    content.pin_schedule(pin=pin, scheduled_at=timezone.now())
    assert lease.claim(pin_id=pin.pk, from_statuses=[PinStatus.READY_TO_SCHEDULE], now=timezone.now())
    claimed = pins_with_relations().get(pk=pin.pk)
    context = context_for(claimed.project.pinterest_connection)
    assert media_ready(pin=claimed, context=context, caller=Caller.dispatcher())
    # ... and the worker dies before the create: recovery finds nothing sent and gives it back.
    Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() - timedelta(hours=1))
    recovered = pin_reconcile(pin_id=pin.pk)
    assert recovered.status == PinStatus.READY_TO_SCHEDULE and create_calls(standin) == 0
    media_id = reload(pin).media_id

    assert pin_publish(pin_id=pin.pk).success
    pin = reload(pin)
    assert pin.media_id == media_id and standin.media(media_id).upload_count == 1
    assert len(media_uploads(standin)) == 1 and len(standin.creations) == 1


@pytest.mark.parametrize("fault", ["drop_after_create", "503_after_create"])
def test_a_lost_answer_on_a_video_create_is_looked_up_never_sent_again(standin, account, fault):
    pin = video_pin(account)
    standin.fail_next_creates(fault)
    result = pin_publish(pin_id=pin.pk)
    pin = reload(pin)
    assert result.success and pin.status == PinStatus.PUBLISHED
    assert create_calls(standin) == 1 and len(standin.creations) == 1
    assert pin.pinterest_pin_id == standin.creations[0].pin_id


def test_still_processing_after_the_budget_keeps_the_media_for_the_next_publish(standin, account, settings,
                                                                                 monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    settings.PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS = 0
    standin.set_media_processing_seconds(3600)
    pin = video_pin(account)
    result = pin_publish(pin_id=pin.pk)
    pin = reload(pin)
    # Publish-now hands it to the background publishers (test_publish_now_waits.py), media kept.
    assert not result.success and "still processing" in result.error and result.batch_id is not None
    assert pin.status == PinStatus.DRAFT and pin.media_id and pin.media_state == MediaState.UPLOADED
    with standin.lock:
        standin.media_map[pin.media_id].processing_seconds = 0
    settings.PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS = 60
    assert pin_publish(pin_id=pin.pk).success
    assert standin.media(pin.media_id).upload_count == 1


def test_a_carousel_of_uploads_goes_as_base64_items_in_order(standin, account):
    pin = carousel_pin(account, [
        {"image": upload("a.png", color=(1, 2, 3)), "title": "Chop"},
        {"image": upload("b.png", color=(4, 5, 6)), "title": "Simmer", "link": "https://blog.example.com/s"},
        {"image": upload("c.png", color=(7, 8, 9))},
    ])
    assert pin.kind == PinKind.CAROUSEL
    payload = pin_build_payload(pin=pin)["media_source"]
    assert payload["source_type"] == "multiple_image_base64"
    assert [item.get("title") for item in payload["items"]] == ["Chop", "Simmer", None]
    assert payload["items"][1]["link"] == "https://blog.example.com/s"
    assert pin_publish(pin_id=pin.pk).success
    (creation,) = standin.creations
    assert (creation.media_kind, creation.item_count) == ("carousel", 3)


def test_a_carousel_of_urls_goes_as_multiple_image_urls(standin, account):
    pin = carousel_pin(account, [{"image_url": "https://i.example.com/1.jpg"},
                                 {"image_url": "https://i.example.com/2.jpg", "description": "Serve"}])
    payload = pin_build_payload(pin=pin)["media_source"]
    assert payload == {"source_type": "multiple_image_urls", "items": [
        {"url": "https://i.example.com/1.jpg"}, {"url": "https://i.example.com/2.jpg", "description": "Serve"}]}
    assert pin_publish(pin_id=pin.pk).success


def test_a_carousel_image_gone_from_storage_ends_the_pin_in_error_naming_it(standin, account):
    pin = carousel_pin(account, [{"image": upload("a.png")}, {"image": upload("b.png")}])
    second = pin.carousel_items.get(position=1)
    second.image.storage.delete(second.image.name)
    result = pin_publish(pin_id=pin.pk)
    assert not result.success and "carousel image 2 file is missing" in reload(pin).error_message
    assert create_calls(standin) == 0


def test_a_pin_in_a_board_section_is_created_in_that_section(standin, account):
    connection, board, project, article = account
    remote_id = standin.add_board_section(board.pinterest_board_id, "Soups")
    section = BoardSection.objects.create(board=board, pinterest_section_id=remote_id, name="Soups")
    pin = content.pin_create(tenant=connection.tenant, project_id=project.pk, article_id=article.pk,
                             board_id=board.pk, board_section_id=section.pk, image_url="https://i.example.com/a.jpg")
    assert pin_build_payload(pin=pin)["board_section_id"] == remote_id
    assert pin_publish(pin_id=pin.pk).success
    assert standin.creations[0].board_section_id == remote_id


def test_a_section_archived_since_is_refused_at_publish_with_its_name(standin, account):
    connection, board, project, article = account
    section = BoardSection.objects.create(board=board, pinterest_section_id="99", name="Old")
    pin = content.pin_create(tenant=connection.tenant, project_id=project.pk, article_id=article.pk,
                             board_id=board.pk, board_section_id=section.pk, image_url="https://i.example.com/a.jpg")
    BoardSection.objects.filter(pk=section.pk).update(is_archived=True)
    with pytest.raises(PinValidationError, match="'Old' is archived"):
        pin_publish(pin_id=pin.pk)
    assert create_calls(standin) == 0


# --- What the media flow hands back, the way a create's trouble is handed back ----------------


def test_deleting_a_video_pin_deletes_its_video_and_cover_files(account, django_capture_on_commit_callbacks):
    pin = video_pin(account, cover_image=upload("cover.png"))
    files = [(pin.video.storage, pin.video.name), (pin.cover_image.storage, pin.cover_image.name)]
    with django_capture_on_commit_callbacks(execute=True):
        content.pin_delete(pin=pin)
    assert not any(storage.exists(name) for storage, name in files)


def test_keeping_a_url_item_and_adding_an_upload_is_refused_at_input(account):
    from django.core.exceptions import ValidationError

    pin = carousel_pin(account, [{"image_url": "https://i.example.com/1.jpg"},
                                 {"image_url": "https://i.example.com/2.jpg"}])
    first = pin.carousel_items.first()
    with pytest.raises(ValidationError, match="all uploads or all image URLs"):
        content.pin_update(pin=pin, data={"carousel": [{"id": first.pk}, {"image": upload("b.png")}]})


def test_a_dispatched_video_still_processing_says_why_it_waits_and_keeps_its_media(standin, account, settings):
    from publishing.engine.dispatch import serve_account
    from publishing.rules import waiting_reason

    settings.PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS = 0
    standin.set_media_processing_seconds(3600)
    pin = video_pin(account)
    content.pin_schedule(pin=pin, scheduled_at=timezone.now())
    for _ in range(2):
        turn = serve_account(account[0].pk)
        assert turn.results[0].status == PinStatus.READY_TO_SCHEDULE
    pin = reload(pin)
    assert "still processing this pin's video" in waiting_reason(pin, timezone.now())
    assert standin.media(pin.media_id).upload_count == 1 and len(media_uploads(standin)) == 1


def test_a_429_on_a_dispatched_video_pins_media_call_sends_it_back_with_the_wait(standin, account):
    (pin, context) = _claimed(video_pin(account))
    standin.fail_next("429", endpoint="register_media", retry_after=1)
    result = publish_claimed(pin=pin, trigger="bulk", context=context, caller=Caller.dispatcher(for_batch=True))
    assert result.status != PinStatus.ERROR and result.retry_after == 1 and result.stop == "rate_limited"


@pytest.mark.parametrize("endpoint, words", [("register_media", "Could not register the video"),
                                             ("get_media", "Could not check Pinterest's processing")])
def test_pinterest_unavailable_during_the_media_flow_holds_the_account_back_naming_the_step(
    standin, account, endpoint, words
):
    from publishing.engine.dispatch import serve_account

    pin = video_pin(account)
    content.pin_schedule(pin=pin, scheduled_at=timezone.now())
    standin.fail_next("503", endpoint=endpoint, count=5)
    turn = serve_account(account[0].pk)
    assert turn.results[0].stop == "unreachable" and words in turn.results[0].error
    assert reload(pin).status == PinStatus.READY_TO_SCHEDULE


def test_a_long_upload_renews_the_lease_so_recovery_does_not_take_the_pin_over(standin, account, settings):
    from publishing.engine import video

    pin, context = _claimed(video_pin(account))
    ticks = iter(range(0, 10_000, 40))  # every read looks 40 s later than the one before
    original = video.LeaseRenewingReader.__init__

    def slow_clock_init(self, handle, *, pin, every=30.0, clock=None):
        original(self, handle, pin=pin, every=every, clock=lambda: next(ticks))

    settings.PUBLISH_LEASE_SECONDS = 60
    video.LeaseRenewingReader.__init__ = slow_clock_init
    try:
        started = reload(pin).publishing_started_at
        assert media_ready(pin=pin, context=context, caller=Caller.dispatcher())
    finally:
        video.LeaseRenewingReader.__init__ = original
    assert reload(pin).publishing_started_at > started  # renewed while reading


def test_a_lease_lost_during_the_upload_stops_it_and_leaves_the_pin_to_its_new_holder(standin, account):
    from publishing.engine import video

    pin, context = _claimed(video_pin(account))
    handle = pin.video.open("rb")
    reader = video.LeaseRenewingReader(handle, pin=pin, every=0)
    Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(video.LeaseLost):
        reader.read(10)
    handle.close()
    assert reader.lost


def test_a_cover_gone_from_storage_is_found_before_the_video_is_uploaded(standin, account):
    pin = video_pin(account, cover_image=upload("cover.png"))
    pin.cover_image.storage.delete(pin.cover_image.name)
    result = pin_publish(pin_id=pin.pk)
    assert not result.success and "cover image file is missing" in reload(pin).error_message
    assert media_uploads(standin) == []


def _claimed(pin):
    assert lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now())
    pin = pins_with_relations().get(pk=pin.pk)
    return pin, context_for(pin.project.pinterest_connection)
