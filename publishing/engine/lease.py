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

from publishing.engine import combined
from publishing.models import Pin, PinStatus
from publishing.selectors import PIN_RELATIONS, pins_due, pins_with_relations


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
    LOCKED`` of the pins with their relations, so concurrent claimers take different pins, then
    the compare-and-set by id); committed before returning. Returns the claimed pins with their
    relations, in schedule order (read under the lock, so what was claimed is what is returned)."""
    if limit <= 0:
        return []
    if combined.enabled():  # the same claim in one statement
        pins = combined.claim_due(connection_id=connection_id, claimed_at=timezone.now(), now=now, limit=limit)
        pins.sort(key=lambda pin: (pin.scheduled_at, str(pin.pk)))
        return pins
    with transaction.atomic():
        pins = list(
            pins_due(now=now)
            .filter(project__pinterest_connection_id=connection_id)
            .select_related(*PIN_RELATIONS)
            .order_by("scheduled_at", "id")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        if not pins:
            return []
        ids = [pin.pk for pin in pins]
        claimed_at = timezone.now()
        claimed = _claim_update(Pin.objects.filter(pk__in=ids, status=PinStatus.READY_TO_SCHEDULE), now=claimed_at)
    if claimed != len(pins):  # not expected under the lock; read back what this claim holds
        pins = list(pins_with_relations().filter(pk__in=ids, status=PinStatus.PUBLISHING,
                                                 publishing_started_at=claimed_at))
    else:
        for pin in pins:
            pin.status, pin.publishing_started_at, pin.claimed_at = PinStatus.PUBLISHING, claimed_at, claimed_at
            pin.error_message, pin.updated_at = "", claimed_at
    pins.sort(key=lambda pin: (pin.scheduled_at, str(pin.pk)))
    return pins


#: A lease stamped less than this long ago by a caller that has not waited since needs no renewal.
FRESH_SECONDS = 5.0


def fresh(pin: Pin) -> bool:
    """Whether the pin's lease was stamped less than ``FRESH_SECONDS`` ago, by this caller's clock.

    A caller that claimed the pin and has not waited since may call Pinterest without
    ``renew``: nobody takes a lease over before it expires (``PUBLISH_LEASE_SECONDS``, minutes),
    so a lease this young is still its holder's, as surely as a renewal would tell."""
    stamped = pin.publishing_started_at
    return stamped is not None and (timezone.now() - stamped).total_seconds() < FRESH_SECONDS


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
