"""The schedule rule: one window for every time a pin may publish at, however it comes in (the API,
the admin, CSV rows, queue slots, interval copies), and what else a pin needs to be scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from publishing.conf import publishing_settings
from publishing.models import Pin
from publishing.rules.boards import board_problem, section_problem
from publishing.rules.pins import MSG_NO_BOARD, MSG_NO_IMAGE

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
    if pin.board_id is None or pin.board is None:
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
