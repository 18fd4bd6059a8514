"""Interval pinning: one pin's content on several boards, spaced apart (Tailwind's "Interval").

Each board gets an ordinary pin of its own (same article, texts and image), linked to its source
through ``Pin.source_pin`` and scheduled at ``start + k * interval`` (k = 0, 1, ...). The copies
are made by ``content.pin_create`` and scheduled by ``content.pin_schedule``, so they keep every
rule a pin made by hand keeps, whatever the pin shows (an image, a carousel, a video). Every
uploaded file is copied to a file of each copy's own (deleting one pin deletes its files, never
another pin's).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from pinterest.models import Board
from publishing.models import Pin, PinKind
from publishing.rules import MSG_NO_IMAGE, board_problem
from publishing.selectors import pins_file_names
from publishing.services import content

#: At most this many boards in one request.
MAX_BOARDS = 50

#: The longest interval between two copies (the API's interval_days takes at most 365).
MAX_INTERVAL = timedelta(days=365)


def _boards(*, pin: Pin, board_ids: list[int]) -> list[Board]:
    """The boards, in the order given; ValidationError (field ``boards``) naming each one refused."""
    problems: list[str] = []
    if not board_ids:
        problems.append("Give at least one board.")
    if len(board_ids) > MAX_BOARDS:
        problems.append(f"At most {MAX_BOARDS} boards at once; {len(board_ids)} were given.")
    found = {
        board.pk: board
        for board in Board.objects.filter(connection__tenant_id=pin.project.tenant_id, pk__in=board_ids)
        .select_related("connection")
    }
    seen: set[int] = set()
    boards = []
    for board_id in board_ids:
        board = found.get(board_id)
        if board is None:
            problems.append(f"Board {board_id} not found among the boards of your Pinterest accounts.")
        elif board_id in seen:
            problems.append(f"Board {board.name!r} ({board_id}) is given twice.")
        else:
            problem = board_problem(board, pin.project)
            if problem:
                problems.append(f"Board {board_id}: {problem}")
            boards.append(board)
        seen.add(board_id)
    if problems:
        raise ValidationError({"boards": problems})
    return boards


def pin_pin_to_boards(
    *,
    pin: Pin,
    board_ids: list[int],
    start_at: datetime,
    interval: timedelta,
    now: datetime | None = None,
) -> list[Pin]:
    """Copies of ``pin`` for each board, the k-th scheduled at ``start_at + k * interval``; all or none.

    The source pin may be in any status (pinning a published pin to more boards is the usual case)
    but needs an image. Every copy's time keeps the schedule rule's window
    (``content.schedule_time_problem``): the first and the last are checked before anything is made.
    Raises ValidationError naming the field: ``boards`` (unknown, repeated, archived, or of another
    account than the project's), ``interval`` (not positive, over ``MAX_INTERVAL``, or the last copy
    after the window), ``image``, ``start_at`` (outside the window), or any rule of
    ``pin_create``/``pin_schedule``.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if interval <= timedelta(0):
        errors["interval"] = ["The interval must be longer than zero."]
    elif interval > MAX_INTERVAL:
        errors["interval"] = [f"The interval must be at most {MAX_INTERVAL.days} days."]
    problem = content.schedule_time_problem(start_at, now=now)
    if problem:
        errors["start_at"] = [problem]
    if not pin.has_image:
        errors["image"] = [MSG_NO_IMAGE]
    if errors:
        raise ValidationError(errors)
    boards = _boards(pin=pin, board_ids=board_ids)
    # Within the window and at most MAX_BOARDS x MAX_INTERVAL on: this sum cannot overflow.
    last = start_at + (len(boards) - 1) * interval
    problem = content.schedule_time_problem(last, now=now)
    if problem:
        raise ValidationError({"interval": [
            f"The last copy (board {len(boards)}) would publish at {last:%Y-%m-%d %H:%M %Z}: {problem} "
            "Give an earlier start, a shorter interval or fewer boards."
        ]})
    stored: list[str] = []
    storage = Pin._meta.get_field("image").storage
    try:
        with transaction.atomic():
            copies = []
            for k, board in enumerate(boards):
                with ExitStack() as opened:
                    copy = content.pin_create(
                        tenant=pin.project.tenant,
                        project_id=pin.project_id,
                        article_id=pin.article_id,
                        board_id=board.pk,
                        title=pin.title,
                        description=pin.description,
                        alt_text=pin.alt_text,
                        link=pin.link,
                        **_media_of(pin, opened),
                    )
                stored.extend(pins_file_names(pins=Pin.objects.filter(pk=copy.pk)))
                Pin.objects.filter(pk=copy.pk).update(source_pin=pin)
                copies.append(content.pin_schedule(pin=copy, scheduled_at=start_at + k * interval, now=now))
            return copies
    except BaseException:
        # The rows rolled back; the copied files are not in the database.
        for name in stored:
            storage.delete(name)
        raise


def _media_of(pin: Pin, opened: ExitStack) -> dict[str, Any]:
    """``pin_create``'s media arguments for a copy of what ``pin`` shows: its own copy of every
    uploaded file (streamed from storage; deleting one pin never deletes another's), the same
    URLs, the same carousel texts, the same video cover."""

    def copy_of(file: FieldFile) -> File:
        stream = opened.enter_context(file.open("rb"))
        assert file.name is not None  # it opened
        return File(stream, name=file.name.rsplit("/", 1)[-1])

    if pin.kind == PinKind.CAROUSEL:
        return {"carousel": [
            {"image": copy_of(item.image) if item.image else None, "image_url": item.image_url,
             "title": item.title, "description": item.description, "link": item.link}
            for item in pin.carousel_items.all()
        ]}
    if pin.kind == PinKind.VIDEO:
        return {"video": copy_of(pin.video), "cover_image": copy_of(pin.cover_image) if pin.cover_image else None,
                "cover_image_url": pin.cover_image_url, "cover_key_frame_seconds": pin.cover_key_frame_seconds}
    if pin.image:
        return {"image": copy_of(pin.image)}
    return {"image_url": pin.image_url}

