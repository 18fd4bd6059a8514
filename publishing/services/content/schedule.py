"""When a pin publishes: scheduling and unscheduling a pin (the schedule rule is
``publishing.rules.schedule``), and a create or an update that schedules in the same step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from publishing import acting
from publishing.models import Pin, PinStatus, ReviewAction
from publishing.rules.approval import review_required
from publishing.rules.schedule import schedule_problems
from publishing.selectors import pins_file_names
from publishing.services.content.errors import refuse_change
from publishing.services.content.review import pins_review_request

#: What scheduling changes, and so what its audit event compares.
SCHEDULE_FIELDS = ("status", "scheduled_at", "error_message")


def pin_schedule(*, pin: Pin, scheduled_at: datetime, now: datetime | None = None) -> Pin:
    """Schedule a pin for ``scheduled_at`` (timezone-aware, within ``schedule_window``) and mark it
    ready_to_schedule.

    Works from draft, ready to schedule (a new time) and error (a retry; the old error
    message is cleared). The pin needs a usable board and an image. Raises ValidationError,
    PinNotEditable or Pin.DoesNotExist.

    In a project whose pins need approval, an editor's schedule puts the pin in review with the
    time asked instead (``publishing.rules.approval``; an owner's approval schedules it here).
    """
    now = now or timezone.now()
    person = acting.person()
    if review_required(person=person, project=pin.project):
        (asked,) = pins_review_request(
            pins=[pin], action=ReviewAction.SCHEDULE, scheduled_at=scheduled_at, by=person, now=now
        )
        return asked
    errors = schedule_problems(pin=pin, scheduled_at=scheduled_at, now=now)
    if errors:
        raise ValidationError(errors)
    before = audit_trail.snapshot(pin, SCHEDULE_FIELDS)
    with transaction.atomic():
        updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
            status=PinStatus.READY_TO_SCHEDULE,
            scheduled_at=scheduled_at,
            error_message="",
            updated_at=now,
        )
        if not updated:
            refuse_change(pin.pk, doing="scheduled")
        scheduled = Pin.objects.get(pk=pin.pk)
        audit_trail.record("pin.schedule", scheduled, before=before,
                           after=audit_trail.snapshot(scheduled, SCHEDULE_FIELDS))
    return scheduled


def pin_unschedule(*, pin: Pin) -> Pin:
    """Take a pin off the schedule: back to draft, ``scheduled_at`` cleared.

    Raises PinNotEditable (publishing or published) or Pin.DoesNotExist.
    """
    before = audit_trail.snapshot(pin, SCHEDULE_FIELDS)
    with transaction.atomic():
        updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
            status=PinStatus.DRAFT, scheduled_at=None, updated_at=timezone.now()
        )
        if not updated:
            refuse_change(pin.pk, doing="unscheduled")
        unscheduled = Pin.objects.get(pk=pin.pk)
        audit_trail.record("pin.unschedule", unscheduled, before=before,
                           after=audit_trail.snapshot(unscheduled, SCHEDULE_FIELDS))
    return unscheduled


def written_and_scheduled(write: Callable[[], Pin], *, scheduled_at: datetime | None) -> Pin:
    """Run ``write`` (a create or an update), then schedule (or, for None, unschedule) the pin it
    returns, all in one transaction (``written_then``)."""
    if scheduled_at is None:
        return written_then(write, lambda pin: pin_unschedule(pin=pin))
    return written_then(write, lambda pin: pin_schedule(pin=pin, scheduled_at=scheduled_at))


def written_then(write: Callable[[], Pin], then: Callable[[Pin], Pin]) -> Pin:
    """Run ``write`` (a create or an update), then ``then`` on the pin it returns (a schedule, a
    place in the queue, a check), all in one transaction: what ``then`` refuses undoes the write,
    and the files ``write`` stored are removed (the rows that named them are rolled back).
    Returns what ``then`` returns; raises what either raises."""
    written: set[str] = set()
    pin_id = None
    try:
        with transaction.atomic():
            pin = write()
            pin_id, written = pin.pk, file_names(pin)
            return then(pin)
    except BaseException:
        kept = file_names(Pin.objects.filter(pk=pin_id).first()) if pin_id is not None else set()
        storage = Pin._meta.get_field("image").storage
        for name in written - kept:
            storage.delete(name)
        raise


def file_names(pin: Pin | None) -> set[str]:
    """The names of every file the pin's row and its carousel rows hold, as stored now."""
    return pins_file_names(pins=Pin.objects.filter(pk=pin.pk)) if pin is not None else set()
