"""When a pin publishes: the schedule rule (one window for every time, however it comes in),
scheduling and unscheduling a pin, and a create or an update that schedules in the same step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from publishing.conf import publishing_settings
from publishing.models import Pin, PinStatus
from publishing.rules import MSG_NO_BOARD, MSG_NO_IMAGE, board_problem, section_problem
from publishing.selectors import pins_file_names
from publishing.services.content.errors import refuse_change

MSG_NAIVE = "Give a timezone-aware datetime: a naive one is ambiguous."
MSG_PAST = "This time is in the past; give a future time (or publish the pin now)."


def schedule_window(*, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and the latest time a pin may be scheduled for, seen at ``now``
    (``PIN_SCHEDULE_MAX_PAST_SECONDS`` before, ``PIN_SCHEDULE_MAX_AHEAD_DAYS`` after)."""
    return (
        now - timedelta(seconds=publishing_settings.PIN_SCHEDULE_MAX_PAST_SECONDS),
        now + timedelta(days=publishing_settings.PIN_SCHEDULE_MAX_AHEAD_DAYS),
    )


def schedule_time_problem(scheduled_at: datetime, *, now: datetime) -> str | None:
    """Why ``scheduled_at`` cannot be a pin's time (naive, or outside ``schedule_window``), or None.

    The one rule for every way a time comes in: the API and the admin (through ``pin_schedule``),
    CSV rows, queue slots and interval copies. A time the database or Python cannot hold (after
    year 9999 in UTC) is outside the window, so it is refused here before anything converts it:
    comparing aware datetimes never overflows, converting them can.
    """
    if timezone.is_naive(scheduled_at):
        return MSG_NAIVE
    earliest, latest = schedule_window(now=now)
    if scheduled_at < earliest:
        return MSG_PAST
    if scheduled_at > latest:
        days = publishing_settings.PIN_SCHEDULE_MAX_AHEAD_DAYS
        return (
            f"This time is more than {days} days ahead; give a time before "
            f"{latest.astimezone(UTC):%Y-%m-%d %H:%M} UTC (PIN_SCHEDULE_MAX_AHEAD_DAYS)."
        )
    return None


def schedule_problems(*, pin: Pin, scheduled_at: datetime, now: datetime) -> dict[str, list[str]]:
    """Why ``pin`` cannot be scheduled for ``scheduled_at`` (field -> messages), empty when it can:
    the rule of ``pin_schedule``, also asked by imports that create many scheduled pins at once."""
    errors: dict[str, list[str]] = {}
    problem = schedule_time_problem(scheduled_at, now=now)
    if problem:
        errors["scheduled_at"] = [problem]
    if pin.board_id is None:
        errors["board"] = [MSG_NO_BOARD]
    else:
        problem = board_problem(pin.board, pin.project)
        if problem:
            errors["board"] = [problem]
    problem = section_problem(pin)
    if problem:
        errors["board_section"] = [problem]
    if not pin.has_image:
        errors["image"] = [MSG_NO_IMAGE]
    return errors


def pin_schedule(*, pin: Pin, scheduled_at: datetime, now: datetime | None = None) -> Pin:
    """Schedule a pin for ``scheduled_at`` (timezone-aware, within ``schedule_window``) and mark it
    ready_to_schedule.

    Works from draft, ready to schedule (a new time) and error (a retry; the old error
    message is cleared). The pin needs a usable board and an image. Raises ValidationError,
    PinNotEditable or Pin.DoesNotExist.
    """
    now = now or timezone.now()
    errors = schedule_problems(pin=pin, scheduled_at=scheduled_at, now=now)
    if errors:
        raise ValidationError(errors)
    updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
        status=PinStatus.READY_TO_SCHEDULE,
        scheduled_at=scheduled_at,
        error_message="",
        updated_at=now,
    )
    if not updated:
        refuse_change(pin.pk, doing="scheduled")
    return Pin.objects.get(pk=pin.pk)


def pin_unschedule(*, pin: Pin) -> Pin:
    """Take a pin off the schedule: back to draft, ``scheduled_at`` cleared.

    Raises PinNotEditable (publishing or published) or Pin.DoesNotExist.
    """
    updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
        status=PinStatus.DRAFT, scheduled_at=None, updated_at=timezone.now()
    )
    if not updated:
        refuse_change(pin.pk, doing="unscheduled")
    return Pin.objects.get(pk=pin.pk)


def written_and_scheduled(write: Callable[[], Pin], *, scheduled_at: datetime | None) -> Pin:
    """Run ``write`` (a create or an update), then schedule (or, for None, unschedule) the pin it
    returns, all in one transaction. The files ``write`` stored are removed if the schedule is
    refused (the rows that named them are rolled back)."""
    written: set[str] = set()
    pin_id = None
    try:
        with transaction.atomic():
            pin = write()
            pin_id, written = pin.pk, file_names(pin)
            if scheduled_at is None:
                return pin_unschedule(pin=pin)
            return pin_schedule(pin=pin, scheduled_at=scheduled_at)
    except BaseException:
        kept = file_names(Pin.objects.filter(pk=pin_id).first()) if pin_id is not None else set()
        storage = Pin._meta.get_field("image").storage
        for name in written - kept:
            storage.delete(name)
        raise


def file_names(pin: Pin | None) -> set[str]:
    """The names of every file the pin's row and its carousel rows hold, as stored now."""
    return pins_file_names(pins=Pin.objects.filter(pk=pin.pk)) if pin is not None else set()
