"""A person's bulk status changes: drafts made ready, failed pins given another go."""

from django.db.models import QuerySet
from django.utils import timezone

from publishing.models import Pin, PinStatus


def _publishable_as_they_are(pin_ids) -> QuerySet[Pin]:
    """Pins with a usable board and an image: the rule pin_schedule applies, so the sweep
    never claims a pin it can only fail."""
    return (
        Pin.objects.filter(pk__in=list(pin_ids), board__isnull=False, board__is_archived=False)
        .exclude(image="", image_url="")
    )


def pins_mark_ready(*, pin_ids) -> int:
    """Drafts with a board and an image become ``ready_to_schedule`` (the sweep publishes them
    once scheduled and due); the others stay drafts. Returns how many were marked."""
    return _publishable_as_they_are(pin_ids).filter(status=PinStatus.DRAFT).update(
        status=PinStatus.READY_TO_SCHEDULE, updated_at=timezone.now()
    )


def pins_retry_failed(*, pin_ids) -> int:
    """Failed pins with a board and an image go back to ``ready_to_schedule``: a person decided
    to try again. Returns how many did."""
    return _publishable_as_they_are(pin_ids).filter(status=PinStatus.ERROR).update(
        status=PinStatus.READY_TO_SCHEDULE, updated_at=timezone.now()
    )
