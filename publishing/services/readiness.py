"""A person's bulk status changes: drafts made ready, failed pins given another go.

Both go through the one rule of what a scheduled pin needs, ``content.pin_schedule`` (a usable
board and section, and what its kind shows: an image, a carousel, a video), so a pin of any kind
is judged alike, and a pin becomes ``ready_to_schedule`` only with a time: a ready pin without one
would never publish, sit on no calendar and have no waiting reason. Each pin is taken on its own,
in its own savepoint: the others go on when one is refused, and every refusal says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from publishing.models import Pin, PinStatus
from publishing.services import content
from publishing.services.queue_slots import NoPostingSlots, pin_add_to_queue


@dataclass
class ReadinessResult:
    """What a bulk status change did: the pins it made ready (fresh, with their time), each pin
    it refused with why, and how many selected pins were not in the status it changes."""

    ready: list[Pin] = field(default_factory=list)
    refused: list[tuple[Pin, str]] = field(default_factory=list)
    not_applicable: int = 0


def _reason(err: Exception) -> str:
    if isinstance(err, ValidationError) and hasattr(err, "error_dict"):
        return "; ".join(" ".join(messages) for messages in err.message_dict.values())
    if isinstance(err, ValidationError):
        return " ".join(err.messages)
    return str(err)


def _selected(pin_ids: Iterable) -> list[Pin]:
    # In the order they were made: that is the order they join a queue.
    return list(
        Pin.objects.filter(pk__in=list(pin_ids))
        .select_related("project", "board", "board_section")
        .order_by("created_at", "id")
    )


def _each(pins: list[Pin], *, status: PinStatus, make_ready: Callable[[Pin], Pin]) -> ReadinessResult:
    result = ReadinessResult()
    for pin in pins:
        if pin.status != status:
            result.not_applicable += 1
            continue
        try:
            with transaction.atomic():
                result.ready.append(make_ready(pin))
        except (ValidationError, content.ContentConflict, Pin.DoesNotExist) as err:
            result.refused.append((pin, _reason(err)))
    return result


def pins_mark_ready(*, pin_ids: Iterable, now: datetime | None = None) -> ReadinessResult:
    """Schedule each draft among ``pin_ids``: at its own time when it has one still ahead, else
    into the next free slot of its project's queue (``queue_slots.pin_add_to_queue``). A draft the
    schedule's rule refuses (no board, nothing to show) or that would join a queue while its
    project has no posting slots stays a draft, with the reason in ``refused``; pins that are not
    drafts are left alone (``not_applicable``)."""
    now = now or timezone.now()

    def make_ready(pin: Pin) -> Pin:
        if pin.scheduled_at is not None and pin.scheduled_at > now:
            return content.pin_schedule(pin=pin, scheduled_at=pin.scheduled_at, now=now)
        try:
            return pin_add_to_queue(pin=pin, now=now)
        except NoPostingSlots as err:
            raise ValidationError(
                f"The pin has no time of its own and cannot join its project's queue: {_reason(err)} "
                "Or schedule the pin at a time."
            ) from err

    return _each(_selected(pin_ids), status=PinStatus.DRAFT, make_ready=make_ready)


def pins_retry_failed(*, pin_ids: Iterable, now: datetime | None = None) -> ReadinessResult:
    """Schedule each failed pin among ``pin_ids`` again (a person decided to try again): at its
    time if that is still ahead, else now, so the sweep publishes it at once. The error message
    is cleared. A pin the schedule's rule refuses stays failed, with the reason in ``refused``;
    pins that did not fail are left alone (``not_applicable``)."""
    now = now or timezone.now()

    def make_ready(pin: Pin) -> Pin:
        at = pin.scheduled_at if pin.scheduled_at is not None and pin.scheduled_at > now else now
        return content.pin_schedule(pin=pin, scheduled_at=at, now=now)

    return _each(_selected(pin_ids), status=PinStatus.ERROR, make_ready=make_ready)
