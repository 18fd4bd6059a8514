"""The bulk actions, each pin (or file) through the service the API calls for it, so a bulk action
does to every pin exactly what the API would; one line per pin (or file) says what happened:

- images dropped on the bulk page: ``content.pin_create`` each (``POST /api/pins/``), a draft with
  the title made of its file name; a refused file is listed with the reasons and creates nothing
  (the service writes nothing and keeps no file it refused), the others are kept;
- Move to board: ``content.pin_update`` with ``board_id`` (``PATCH /api/pins/<id>/``; the section,
  which belongs to the old board, is cleared);
- Add to queue: ``queue_slots.pin_add_to_queue`` (the service of ``POST /api/pins/queue/``), pin by
  pin in the list's order, so a refused pin leaves the others queued (the API's bulk is all or none);
- Schedule, spaced apart: ``content.pin_schedule`` (``PATCH /api/pins/<id>/`` with ``scheduled_at``)
  at the start typed, read in each pin's project's zone, plus k intervals for the k-th pin selected;
- Publish now: ``engine.pins_publish_bulk`` (``POST /api/pins/publish-bulk/``), one batch, paced
  per account by the background publishers; each pin's line is its batch item's outcome so far;
- Delete: ``content.pin_delete`` (``DELETE /api/pins/<id>/``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from pinpublisher.errors import DomainError
from pinpublisher.timezones import format_when
from pinterest.limits import TEXT_LIMITS
from pinterest.models import Board
from planner.reads import project_zone
from publishing import approvals, engine
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus, PublishBatch, PublishTrigger, Tenant
from publishing.selectors_queue import local_to_utc
from publishing.services import content, queue_slots

#: The refusals a pin's service raises (a rule, its state, or the pin gone meanwhile).
REFUSALS = (ValidationError, DomainError, Pin.DoesNotExist)


@dataclass(frozen=True)
class Line:
    """What happened to one pin or one file: ``done`` or refused, said in ``text``."""

    name: str
    done: bool
    text: str
    pin_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def title_from_filename(name: str) -> str:
    """A file's name as a pin's title: no folder, no extension, dashes and underscores as spaces,
    spaces collapsed, at most Pinterest's title limit ("lemon_cake-2.jpg" -> "lemon cake 2")."""
    stem = PurePath(name.replace("\\", "/")).stem
    return " ".join(re.sub(r"[-_]+", " ", stem).split())[: TEXT_LIMITS["title"]]


def reason(err: Exception) -> str:
    """A refusal as one sentence a person reads ("Image: the image is 60x60 px; ...")."""
    if isinstance(err, ValidationError) and hasattr(err, "error_dict"):
        parts = []
        for field, messages in err.message_dict.items():
            label = "" if field == "__all__" else field.replace("_", " ").capitalize() + ": "
            parts.append(label + " ".join(messages))
        return " ".join(parts)
    if isinstance(err, ValidationError):
        return " ".join(err.messages)
    if isinstance(err, Pin.DoesNotExist):
        return "The pin was deleted meanwhile."
    return str(err)


def drafts_from_images(
    *, tenant: Tenant, project: BlogProject, article: BlogArticle, board: Board | None, images: list[UploadedFile]
) -> list[Line]:
    """One draft per image (``content.pin_create``), titled by its file name; refusals listed."""
    lines = []
    for image in images:
        title = title_from_filename(image.name or "")
        try:
            pin = content.pin_create(tenant=tenant, project_id=project.pk, article_id=article.pk,
                                     board_id=board.pk if board else None, title=title, image=image)
        except REFUSALS as err:
            lines.append(Line(image.name or "?", False, f"Not created. {reason(err)}"))
        else:
            lines.append(Line(image.name or "?", True, f"Draft \u201c{title}\u201d created.", str(pin.pk)))
    return lines


def _name(pin: Pin) -> str:
    return pin.title or "Untitled pin"


def _each(pins: list[Pin], act: Any) -> list[Line]:
    """``act(pin, k)`` for each pin in turn (k its place), its text or its refusal on the pin's line."""
    lines = []
    for k, pin in enumerate(pins):
        try:
            text = act(pin, k)
        except REFUSALS as err:
            lines.append(Line(_name(pin), False, reason(err), str(pin.pk)))
        else:
            lines.append(Line(_name(pin), True, text, str(pin.pk)))
    return lines


def _when(pin: Pin) -> str:
    return format_when(pin.scheduled_at, zone=project_zone(pin.project))


def pins_move_to_board(*, pins: list[Pin], board: Board) -> list[Line]:
    def move(pin: Pin, _k: int) -> str:
        content.pin_update(pin=pin, data={"board_id": board.pk, "board_section_id": None})
        return f"Moved to {board.name}."

    return _each(pins, move)


def pins_queue(*, pins: list[Pin]) -> list[Line]:
    def queue(pin: Pin, _k: int) -> str:
        queued = queue_slots.pin_add_to_queue(pin=pin)
        if queued.status == PinStatus.IN_REVIEW:
            return MSG_SENT_FOR_REVIEW
        return f"Queued: it publishes at {_when(queued)}."

    return _each(pins, queue)


def pins_schedule_spaced(*, pins: list[Pin], start: datetime, step: timedelta) -> list[Line]:
    """Pin k at ``start`` (a wall time, in its project's zone) plus k steps."""
    def schedule(pin: Pin, k: int) -> str:
        first = local_to_utc(day=start.date(), at=start.time(), zone=pin.project.zone)
        scheduled = content.pin_schedule(pin=pin, scheduled_at=first + k * step)
        if scheduled.status == PinStatus.IN_REVIEW:
            return f"{MSG_SENT_FOR_REVIEW[:-1]} (asked for {_when(scheduled)})."
        return f"Scheduled for {_when(scheduled)}."

    return _each(pins, schedule)


def pins_delete(*, pins: list[Pin]) -> list[Line]:
    def delete(pin: Pin, _k: int) -> str:
        content.pin_delete(pin=pin)
        return "Deleted."

    return _each(pins, delete)


MSG_SENT_FOR_REVIEW = "Sent for review: an owner approves before it publishes."

OUTCOME_TEXTS = {
    "published": "Published on Pinterest.",
    "pending": "Publishing in the background, paced for its account.",
    "skipped": "Skipped: it was already published or publishing.",
}


def pins_publish_now(*, tenant: Tenant, pins: list[Pin], user: Any) -> list[Line]:
    """One batch of every pin (``approvals.pins_publish_many``: an editor's pins of a project whose pins
    need approval go to review instead); each line says its item's outcome."""
    batch, asked = approvals.pins_publish_many(tenant=tenant, pin_ids=[pin.pk for pin in pins],
                                               trigger=PublishTrigger.BULK)
    results = {item["id"]: item for item in engine.batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))[
        "results"]} if batch is not None else {}
    in_review = {pin.pk for pin in asked}
    lines = []
    for pin in pins:
        if pin.pk in in_review:
            lines.append(Line(_name(pin), True, MSG_SENT_FOR_REVIEW, str(pin.pk)))
            continue
        item = results.get(str(pin.pk), {})
        outcome = item.get("outcome", "pending")
        text = OUTCOME_TEXTS.get(outcome) or f"Not published: {item.get('error') or 'Pinterest refused it.'}"
        lines.append(Line(_name(pin), outcome in ("published", "pending"), text, str(pin.pk)))
    return lines
