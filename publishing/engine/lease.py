"""Who may call Pinterest for a pin: claims and leases, each written once.

A pin moves into ``publishing`` only by a compare-and-set UPDATE committed before any
call to Pinterest; the UPDATE stamps ``publishing_started_at`` (the lease) and
``claimed_at`` (when this publish began; a lost answer is looked for from its create
on). Whoever holds the stamp is the only one who may call Pinterest for the pin or
decide its outcome: every later write compares the stamp (``held``).
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from publishing.models import Pin, PinStatus
from publishing.selectors import pins_due, pins_with_relations


def held(pin: Pin) -> QuerySet:
    """The pin, if this caller still holds its lease (the compare in every compare-and-set)."""
    return Pin.objects.filter(pk=pin.pk, status=PinStatus.PUBLISHING, publishing_started_at=pin.publishing_started_at)


def _claim_update(queryset: QuerySet, *, now: datetime) -> int:
    return queryset.update(
        status=PinStatus.PUBLISHING, publishing_started_at=now, claimed_at=now, error_message="", updated_at=now
    )


def claim(*, pin_id: UUID | str, from_statuses: Iterable[str], now: datetime) -> bool:
    """Compare-and-set one pin into ``publishing``; True when this caller won it."""
    with transaction.atomic():
        return bool(_claim_update(Pin.objects.filter(pk=pin_id, status__in=list(from_statuses)), now=now))


def claim_due(*, connection_id: int, now: datetime, limit: int) -> list:
    """Claim up to ``limit`` due pins of one connection (``SELECT ... FOR UPDATE SKIP
    LOCKED``, so concurrent sweeps take different pins); committed before returning.
    Returns the claimed pins with their relations, in schedule order."""
    if limit <= 0:
        return []
    with transaction.atomic():
        ids = list(
            pins_due(now=now)
            .filter(project__pinterest_connection_id=connection_id)
            .order_by("scheduled_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        claimed_at = timezone.now()
        _claim_update(Pin.objects.filter(pk__in=ids, status=PinStatus.READY_TO_SCHEDULE), now=claimed_at)
    pins = list(
        pins_with_relations().filter(pk__in=ids, status=PinStatus.PUBLISHING, publishing_started_at=claimed_at)
    )
    pins.sort(key=lambda pin: (pin.scheduled_at, str(pin.pk)))
    return pins


def renew(pin: Pin) -> bool:
    """Restart the lease just before calling Pinterest; False when it is no longer ours."""
    now = timezone.now()
    renewed = held(pin).update(publishing_started_at=now)
    if renewed:
        pin.publishing_started_at = now
    return bool(renewed)


def take_over(pin: Pin, *, now: datetime) -> bool:
    """Take an expired lease over (compare-and-set on the old stamp), so two recoveries never
    both decide. ``claimed_at`` is not moved: the look's window starts at the create."""
    taken = held(pin).update(publishing_started_at=now)
    if taken:
        pin.publishing_started_at = now
    return bool(taken)


def release(pin: Pin) -> str:
    """Give a held pin back untouched (a rate limit is not its fault): to the schedule when it
    has a time, else back to draft. Returns the status it went back to."""
    status = PinStatus.READY_TO_SCHEDULE if pin.scheduled_at is not None else PinStatus.DRAFT
    held(pin).update(status=status, publishing_started_at=None, updated_at=timezone.now())
    pin.status = status
    return status
