"""A person's bulk status changes ("Mark ready", "Retry failed"): every kind of pin is judged by the
schedule's one rule, a pin becomes ready only with a time (its own, the queue's, or now for a
retry), and every pin left as it was comes with the reason."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publishing.models import Pin, PinKind, PinStatus
from publishing.services import content
from publishing.services.queue_slots import project_slots_replace
from publishing.services.readiness import pins_mark_ready, pins_retry_failed
from tests.factories import image_upload, make_article, make_board, make_pin, make_project

pytestmark = pytest.mark.django_db

DEMO_VIDEO = Path(__file__).resolve().parents[2] / "publishing" / "services" / "demo_assets" / "demo-video.mp4"
# A Monday, 07:00 UTC: the project's slots (Mondays 09:00 and 10:00 UTC) are ahead.
NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


@pytest.fixture
def project():
    board = make_board()
    project = make_project(tenant=board.connection.tenant, connection=board.connection)
    project.board = board
    return project


def with_slots(project):
    project_slots_replace(project=project, slots=[(0, time(9, 0)), (0, time(10, 0)), (0, time(11, 0))])
    return project


def new_pin(project, kind, **fields):
    """A draft of ``kind`` made as the API makes it (the content service)."""
    media = {
        PinKind.IMAGE: {"image": image_upload()},
        PinKind.CAROUSEL: {"carousel": [{"image": image_upload(f"{n}.png")} for n in range(2)]},
        PinKind.VIDEO: {"video": SimpleUploadedFile("clip.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4")},
    }[kind]
    return content.pin_create(tenant=project.tenant, project_id=project.pk, article_id=make_article(project).pk,
                              board_id=project.board.pk, title=f"A {kind} pin", **media, **fields)


def fresh(pin):
    return Pin.objects.get(pk=pin.pk)


def test_mark_ready_queues_carousel_and_video_drafts_like_image_ones(project):
    with_slots(project)
    pins = [new_pin(project, kind) for kind in (PinKind.CAROUSEL, PinKind.VIDEO, PinKind.IMAGE)]
    result = pins_mark_ready(pin_ids=[pin.pk for pin in pins], now=NOW)
    assert result.refused == [] and len(result.ready) == 3
    assert [(fresh(pin).status, fresh(pin).scheduled_at) for pin in pins] == [
        (PinStatus.READY_TO_SCHEDULE, NOW.replace(hour=hour)) for hour in (9, 10, 11)
    ]


def test_mark_ready_keeps_a_drafts_own_time_while_it_is_ahead_else_queues_it(project):
    with_slots(project)
    ahead, passed = new_pin(project, PinKind.VIDEO), new_pin(project, PinKind.CAROUSEL)
    Pin.objects.filter(pk=ahead.pk).update(scheduled_at=NOW + timedelta(days=3))
    Pin.objects.filter(pk=passed.pk).update(scheduled_at=NOW - timedelta(days=3))
    result = pins_mark_ready(pin_ids=[ahead.pk, passed.pk], now=NOW)
    assert result.refused == [] and len(result.ready) == 2
    assert [(fresh(pin).status, fresh(pin).scheduled_at) for pin in (ahead, passed)] == [
        (PinStatus.READY_TO_SCHEDULE, NOW + timedelta(days=3)), (PinStatus.READY_TO_SCHEDULE, NOW.replace(hour=9)),
    ]


def test_mark_ready_of_a_draft_without_a_time_in_a_project_without_slots_is_refused_saying_why(project):
    pin = new_pin(project, PinKind.IMAGE)
    result = pins_mark_ready(pin_ids=[pin.pk], now=NOW)
    assert result.ready == []
    ((refused, reason),) = result.refused
    assert refused.pk == pin.pk
    assert "no time of its own" in reason and f"Project {project.name!r} has no posting slots" in reason
    assert (fresh(pin).status, fresh(pin).scheduled_at) == (PinStatus.DRAFT, None)


def test_mark_ready_refuses_a_draft_without_board_or_media_saying_why_and_goes_on(project):
    with_slots(project)
    good = make_pin(project=project, board=project.board, status=PinStatus.DRAFT)
    bare = make_pin(project=project, board=project.board, with_image=False, status=PinStatus.DRAFT)
    boardless = make_pin(project=project, board=None, status=PinStatus.DRAFT)
    published = make_pin(project=project, board=project.board, status=PinStatus.PUBLISHED)
    result = pins_mark_ready(pin_ids=[good.pk, bare.pk, boardless.pk, published.pk], now=NOW)
    assert [pin.pk for pin in result.ready] == [good.pk]
    assert {pin.pk: reason for pin, reason in result.refused} == {
        bare.pk: "Pin must have an image", boardless.pk: "Pin must have a Pinterest board assigned",
    }
    assert result.not_applicable == 1
    assert [fresh(pin).status for pin in (good, bare, boardless, published)] == [
        PinStatus.READY_TO_SCHEDULE, PinStatus.DRAFT, PinStatus.DRAFT, PinStatus.PUBLISHED,
    ]
    # The refused pins took no slot: the next one is still free.
    assert fresh(good).scheduled_at == NOW.replace(hour=9)


def test_retry_failed_schedules_failed_carousel_and_video_pins_again_now_or_at_their_time(project):
    carousel, video = new_pin(project, PinKind.CAROUSEL), new_pin(project, PinKind.VIDEO)
    later = NOW + timedelta(days=1)
    Pin.objects.filter(pk=carousel.pk).update(status=PinStatus.ERROR, error_message="Pinterest said no.",
                                               scheduled_at=NOW - timedelta(hours=2))
    Pin.objects.filter(pk=video.pk).update(status=PinStatus.ERROR, error_message="Processing failed.",
                                            scheduled_at=later)
    result = pins_retry_failed(pin_ids=[carousel.pk, video.pk], now=NOW)
    assert result.refused == [] and len(result.ready) == 2
    assert [(fresh(pin).status, fresh(pin).scheduled_at, fresh(pin).error_message) for pin in (carousel, video)] == [
        (PinStatus.READY_TO_SCHEDULE, NOW, ""), (PinStatus.READY_TO_SCHEDULE, later, ""),
    ]


def test_retry_failed_of_a_pin_that_never_had_a_time_makes_it_due_now(project):
    pin = new_pin(project, PinKind.IMAGE)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.ERROR, error_message="Board not found.")
    pins_retry_failed(pin_ids=[pin.pk], now=NOW)
    assert (fresh(pin).status, fresh(pin).scheduled_at) == (PinStatus.READY_TO_SCHEDULE, NOW)


def test_retry_failed_leaves_a_failed_pin_without_media_failed_saying_why(project):
    bare = make_pin(project=project, board=project.board, with_image=False, status=PinStatus.ERROR)
    draft = make_pin(project=project, board=project.board, status=PinStatus.DRAFT)
    result = pins_retry_failed(pin_ids=[bare.pk, draft.pk], now=NOW)
    assert result.ready == [] and [(pin.pk, reason) for pin, reason in result.refused] == [
        (bare.pk, "Pin must have an image")
    ]
    assert result.not_applicable == 1
    assert (fresh(bare).status, fresh(draft).status) == (PinStatus.ERROR, PinStatus.DRAFT)
