"""Interval pinning: one pin's content on several boards, spaced apart, all or none."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from publishing.models import Pin, PinStatus
from publishing.services.interval import pin_pin_to_boards
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
START = datetime(2030, 5, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def account():
    connection = make_connection()
    boards = [make_board(connection=connection) for _ in range(3)]
    project = make_project(tenant=connection.tenant, connection=connection)
    return project, boards


def test_each_board_gets_a_linked_copy_scheduled_an_interval_apart(account):
    project, boards = account
    source = make_pin(project=project, board=boards[0], status=PinStatus.PUBLISHED)
    copies = pin_pin_to_boards(
        pin=source, board_ids=[boards[1].pk, boards[2].pk], start_at=START, interval=timedelta(days=3), now=NOW
    )
    assert [copy.board_id for copy in copies] == [boards[1].pk, boards[2].pk]
    assert [copy.scheduled_at for copy in copies] == [START, START + timedelta(days=3)]
    for copy in copies:
        assert copy.status == PinStatus.READY_TO_SCHEDULE
        assert copy.source_pin_id == source.pk
        assert (copy.title, copy.description, copy.alt_text, copy.article_id) == (
            source.title, source.description, source.alt_text, source.article_id
        )
        # A file of its own: deleting one pin never takes another pin's image.
        assert copy.image.name and copy.image.name != source.image.name
        assert copy.image.read() == source.image.open("rb").read()
    assert set(source.interval_copies.all()) == set(copies)


def test_a_pin_with_an_image_url_passes_the_url_on(account):
    project, boards = account
    source = make_pin(project=project, board=boards[0], image_url="https://img.example.com/a.jpg", with_image=False)
    (copy,) = pin_pin_to_boards(pin=source, board_ids=[boards[1].pk], start_at=START,
                                interval=timedelta(hours=6), now=NOW)
    assert copy.image_url == "https://img.example.com/a.jpg" and not copy.image


def test_a_board_of_another_account_is_refused_naming_it_and_nothing_is_created(account):
    project, boards = account
    foreign = make_board(connection=make_connection(tenant=project.tenant), name="Someone else's board")
    source = make_pin(project=project, board=boards[0])
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=source, board_ids=[boards[1].pk, foreign.pk], start_at=START,
                          interval=timedelta(days=1), now=NOW)
    (problem,) = refused.value.message_dict["boards"]
    assert problem.startswith(f"Board {foreign.pk}: Board \"Someone else's board\" belongs to")
    assert Pin.objects.count() == 1


@pytest.mark.parametrize("case", ["unknown", "other_tenant", "twice", "archived"])
def test_unusable_boards_are_refused_under_boards(account, case):
    project, boards = account
    source = make_pin(project=project, board=boards[0])
    ids = {
        "unknown": [999999],
        "other_tenant": [make_board().pk],
        "twice": [boards[1].pk, boards[1].pk],
        "archived": [make_board(connection=boards[0].connection, is_archived=True).pk],
    }[case]
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=source, board_ids=ids, start_at=START, interval=timedelta(days=1), now=NOW)
    assert "boards" in refused.value.message_dict
    assert Pin.objects.count() == 1


def test_a_start_in_the_past_is_refused_by_the_schedule_rule_and_rolls_everything_back(account):
    project, boards = account
    source = make_pin(project=project, board=boards[0])
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=source, board_ids=[boards[1].pk, boards[2].pk], start_at=NOW - timedelta(days=1),
                          interval=timedelta(days=1), now=NOW)
    assert "start_at" in refused.value.message_dict
    assert Pin.objects.count() == 1


def test_a_zero_interval_is_refused(account):
    project, boards = account
    source = make_pin(project=project, board=boards[0])
    with pytest.raises(ValidationError) as refused:
        pin_pin_to_boards(pin=source, board_ids=[boards[1].pk], start_at=START, interval=timedelta(0), now=NOW)
    assert "interval" in refused.value.message_dict


def _media_source(project, board, **media):
    from publishing.services import content
    from tests.factories import make_article

    article = make_article(project=project)
    return content.pin_create(tenant=project.tenant, project_id=project.pk, article_id=article.pk,
                              board_id=board.pk, title="Steps", **media)


def test_a_carousel_is_copied_item_by_item_with_files_of_its_own(account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    project, boards = account
    source = _media_source(project, boards[0], carousel=[
        {"image": SimpleUploadedFile(f"{n}.png", png_bytes(300, 400, (n, n, n))), "title": f"Step {n}"}
        for n in range(3)
    ])
    (copy,) = pin_pin_to_boards(pin=source, board_ids=[boards[1].pk], start_at=START,
                                interval=timedelta(days=1), now=NOW)
    ours, theirs = list(copy.carousel_items.all()), list(source.carousel_items.all())
    assert copy.kind == "carousel" and [item.title for item in ours] == ["Step 0", "Step 1", "Step 2"]
    for mine, original in zip(ours, theirs, strict=True):
        assert mine.image.name != original.image.name
        assert mine.image.open("rb").read() == original.image.open("rb").read()


def test_a_video_is_copied_with_its_cover_and_without_the_sources_media(account):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    video = Path(__file__).resolve().parents[2] / "publishing" / "services" / "demo_assets" / "demo-video.mp4"
    project, boards = account
    source = _media_source(project, boards[0], video=SimpleUploadedFile("v.mp4", video.read_bytes()),
                           cover_key_frame_seconds=1)
    Pin.objects.filter(pk=source.pk).update(media_id="42", media_state="succeeded")
    source.refresh_from_db()
    (copy,) = pin_pin_to_boards(pin=source, board_ids=[boards[1].pk], start_at=START,
                                interval=timedelta(days=1), now=NOW)
    assert (copy.kind, copy.cover_key_frame_seconds, copy.media_id) == ("video", 1, "")
    assert copy.video.name != source.video.name and copy.video.size == video.stat().st_size
