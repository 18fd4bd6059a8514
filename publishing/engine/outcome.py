"""Deciding a pin: out of ``publishing`` into ``published``, ``error`` or back to the schedule,
and every pending batch item of the pin told.

Only the lease holder decides (``lease.held``), with one exception: Pinterest's 201 is a
definite answer and beats any guess, whoever holds the lease by the time it arrives.
A Pinterest pin id belongs to at most one of our pins (a unique constraint).
Every decision is told to other apps (``publishing.signals``) inside its transaction.
"""

import logging
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from publishing import signals
from publishing.engine import audit, combined, lease
from publishing.engine.results import (
    MSG_HELD_ELSEWHERE,
    MSG_MATCHED_ANOTHERS,
    PIN_URL,
    PublishResult,
)
from publishing.models import Pin, PinStatus, PublishAttempt, PublishBatch, PublishBatchItem

logger = logging.getLogger(__name__)


class PinterestIdTaken(Exception):
    """Another of our pins already holds this Pinterest pin id (the unique constraint said so)."""


def finish(*, pin: Pin, status: str, now: datetime | None = None, pinterest_pin_id: str = "", error: str = "",
           stop: str = "", looked: bool = False, ended: PublishAttempt | None = None) -> PublishResult:
    """Move a held pin to ``published`` or ``error`` and tell its pending batch items.

    ``looked``: the decision comes from a look at the board after an unknown outcome.
    ``ended``: the create's audit row, ended on the object (``audit.attempt_end(save=False)``),
    written before the decision; on PostgreSQL with it, in one statement (``combined``).

    A publisher whose pin was taken over changes nothing and gets the pin's stored state.
    Raises PinterestIdTaken when ``pinterest_pin_id`` is another pin's (nothing changed).
    """
    now = now or timezone.now()
    values = {"status": status, "updated_at": now, "publishing_started_at": None}
    published = status == PinStatus.PUBLISHED
    if published:
        values.update(
            published_at=now, pinterest_pin_id=pinterest_pin_id,
            pinterest_pin_url=PIN_URL.format(id=pinterest_pin_id), error_message="",
        )
    else:
        values["error_message"] = error
    together = ended is not None and combined.enabled()
    if ended is not None and not together:
        ended.save(update_fields=audit.ENDED_FIELDS)
    told: list = []
    try:
        with transaction.atomic():
            if ended is not None and together:
                decided, told = combined.decide_with_attempt(
                    held=lease.held, pin=pin, values=values, attempt=ended, attempt_fields=audit.ENDED_FIELDS,
                    success=published, error=error, now=now,
                )
            else:
                decided = bool(lease.held(pin).update(**values))
            if decided:
                _announce(pin_id=pin.pk, published=published, now=now, pinterest_pin_id=pinterest_pin_id,
                          error=error, looked=looked, scheduled_at=pin.scheduled_at)
                if together:
                    close_batches(batch_ids=told, now=now)
                else:
                    tell_batches(pin_id=pin.pk, success=published, error=error)
    except IntegrityError as exc:
        if ended is not None and together:  # rolled back with the decision: the audit row is written alone
            ended.save(update_fields=audit.ENDED_FIELDS)
        if published:
            raise PinterestIdTaken(pinterest_pin_id) from exc
        raise
    if not decided:
        return current_result(pin.pk)
    for name, value in values.items():
        setattr(pin, name, value)
    return PublishResult(
        pin_id=pin.pk, success=published, status=status,
        pinterest_pin_id=pin.pinterest_pin_id if published else "",
        pinterest_pin_url=pin.pinterest_pin_url if published else "",
        error=error, stop=stop,
    )


def release(*, pin: Pin, note: str, stop: str = "", retry_after: float | None = None) -> PublishResult:
    """Back on the schedule, untouched: Pinterest could not take it now, not the pin's fault."""
    status = lease.release(pin)
    return PublishResult(pin_id=pin.pk, success=False, status=status, error=note, stop=stop, retry_after=retry_after)


def record_created(*, pin: Pin, pinterest_pin_id: str, ended: PublishAttempt | None = None) -> PublishResult:
    """Pinterest answered 201 for this pin: that decides, whoever holds the lease now.

    A pin another publisher already decided ``error`` (it looked too early) becomes
    ``published`` and its batch items are corrected; a pin a look wrongly matched to this
    Pinterest pin gives it up. ``ended``: the create's audit row, written with the decision (``finish``).
    """
    try:
        result = finish(pin=pin, status=PinStatus.PUBLISHED, pinterest_pin_id=pinterest_pin_id, ended=ended)
    except PinterestIdTaken:
        _disown_guess(pinterest_pin_id=pinterest_pin_id, owner_id=pin.pk)
        result = finish(pin=pin, status=PinStatus.PUBLISHED, pinterest_pin_id=pinterest_pin_id)
    if result.success and result.pinterest_pin_id == pinterest_pin_id:
        return result
    return _publish_late(pin_id=pin.pk, pinterest_pin_id=pinterest_pin_id)


def _publish_late(*, pin_id: UUID | str, pinterest_pin_id: str) -> PublishResult:
    """A 201 that arrived after the lease was taken over: record it unless the pin is published."""
    now = timezone.now()
    with transaction.atomic():
        # A sibling's look may have taken this id meanwhile: Pinterest's 201 says it is this pin's.
        _disown_guess(pinterest_pin_id=pinterest_pin_id, owner_id=pin_id)
        changed = (
            Pin.objects.filter(pk=pin_id)
            .exclude(status=PinStatus.PUBLISHED)
            .update(
                status=PinStatus.PUBLISHED, published_at=now, pinterest_pin_id=pinterest_pin_id,
                pinterest_pin_url=PIN_URL.format(id=pinterest_pin_id), error_message="",
                publishing_started_at=None, updated_at=now,
            )
        )
        if changed:
            _announce(pin_id=pin_id, published=True, now=now, pinterest_pin_id=pinterest_pin_id)
            # Items already told "failed" by whoever guessed are corrected; pending ones are told.
            PublishBatchItem.objects.filter(pin_id=pin_id, success=False).update(
                success=True, error="", finished_at=now
            )
            tell_batches(pin_id=pin_id, success=True, error="")
    if not changed:
        logger.warning(
            "pin %s: Pinterest confirmed pin %s after this pin was already published; check the board "
            "for a duplicate", pin_id, pinterest_pin_id,
        )
    return current_result(pin_id)


def _disown_guess(*, pinterest_pin_id: str, owner_id: UUID | str) -> None:
    """The pin holding ``pinterest_pin_id`` got it from a look; Pinterest's 201 says it is ``owner_id``'s."""
    now = timezone.now()
    message = MSG_MATCHED_ANOTHERS.format(id=pinterest_pin_id)
    with transaction.atomic():
        holders = list(
            Pin.objects.select_for_update().filter(pinterest_pin_id=pinterest_pin_id).exclude(pk=owner_id)
        )
        for holder in holders:
            Pin.objects.filter(pk=holder.pk).update(
                status=PinStatus.ERROR, pinterest_pin_id="", pinterest_pin_url="", published_at=None,
                error_message=message, updated_at=now,
            )
            _announce(pin_id=holder.pk, published=False, now=now, error=message)
            PublishBatchItem.objects.filter(pin_id=holder.pk, success=True).update(
                success=False, error=message, finished_at=now
            )
            logger.warning("pin %s gave up Pinterest pin %s, which Pinterest created for pin %s",
                           holder.pk, pinterest_pin_id, owner_id)


def _announce(*, pin_id: UUID | str, published: bool, now: datetime, pinterest_pin_id: str = "", error: str = "",
              looked: bool = False, scheduled_at: datetime | None = None) -> None:
    """Tell other apps how the pin was decided; called inside the transaction that decided it."""
    url = PIN_URL.format(id=pinterest_pin_id) if published else ""
    if published:
        signals.pin_published.send(sender=Pin, pin_id=pin_id, pinterest_pin_id=pinterest_pin_id,
                                   pinterest_pin_url=url, published_at=now, scheduled_at=scheduled_at)
    else:
        signals.pin_failed.send(sender=Pin, pin_id=pin_id, error=error, failed_at=now)
    if looked:
        signals.pin_reconciled.send(
            sender=Pin, pin_id=pin_id, status=PinStatus.PUBLISHED if published else PinStatus.ERROR,
            pinterest_pin_id=pinterest_pin_id if published else "", pinterest_pin_url=url, error=error,
        )


def current_result(pin_id: UUID | str) -> PublishResult:
    """The pin's state as stored (when another publisher holds or finished it)."""
    pin = Pin.objects.get(pk=pin_id)
    published = pin.status == PinStatus.PUBLISHED
    return PublishResult(
        pin_id=pin.pk, success=published, status=pin.status,
        pinterest_pin_id=pin.pinterest_pin_id if published else "",
        pinterest_pin_url=pin.pinterest_pin_url if published else "",
        error=pin.error_message or ("" if published else MSG_HELD_ELSEWHERE),
    )


def tell_batches(
    *, pin_id: UUID | str, success: bool, error: str, batch_id: UUID | None = None, skipped: bool = False
) -> None:
    """Record a pin's result on its pending batch items (of one batch, or of all), and close
    the batches that have nothing pending left. ``skipped``: the pin was on Pinterest already and
    nothing was sent for it (recorded as a success, counted apart from those published)."""
    now = timezone.now()
    pending = PublishBatchItem.objects.filter(pin_id=pin_id, success__isnull=True)
    if batch_id is not None:
        pending = pending.filter(batch_id=batch_id)
    batch_ids = list(pending.values_list("batch_id", flat=True))
    if not batch_ids:
        return
    with transaction.atomic():
        pending.update(success=success, skipped=skipped, error=error, finished_at=now)
        close_batches(batch_ids=batch_ids, now=now)


def close_batches(*, batch_ids: list, now: datetime) -> None:
    """Close those of the batches (whose items were just told) that have nothing pending left,
    each told to other apps; inside the caller's transaction."""
    for finished_id in batch_ids:
        # One UPDATE per batch (a pin is rarely in more than one), so the one that closes it is known.
        closed = PublishBatch.objects.filter(pk=finished_id, finished_at__isnull=True).exclude(
            items__success__isnull=True
        ).update(finished_at=now)
        if closed:
            signals.batch_finished.send(sender=PublishBatch, batch_id=finished_id, finished_at=now)
