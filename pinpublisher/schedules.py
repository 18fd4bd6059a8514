"""Every app's django-q2 schedules are rows found by name: one helper keeps each one row.

``schedule_put`` writes a schedule's fields onto the row of its name (locked), deleting any extra
rows a race or an old release left, so running an app's setup again (each ``ready``, each
``setup_schedules``) updates in place and never adds one. A daily schedule keeps a next run still
ahead (``keep_next_run``), so a restart at 01:59 does not move the 02:00 run to tomorrow.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django_q.models import Schedule


def next_daily(at: time, now: datetime) -> datetime:
    """The next moment at ``at`` UTC after ``now``."""
    candidate = now.astimezone(UTC).replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def schedule_put(name: str, fields: dict[str, Any], *, now: datetime, keep_next_run: bool = False) -> Schedule:
    """The one schedule called ``name``, with ``fields`` (``keep_next_run``: a ``next_run`` still
    after ``now`` stays)."""
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=name).order_by("id"))
        for extra in existing[1:]:
            extra.delete()
        schedule = existing[0] if existing else Schedule(name=name)
        if keep_next_run and existing and schedule.next_run and schedule.next_run > now:
            fields = {**fields, "next_run": schedule.next_run}
        for key, value in fields.items():
            setattr(schedule, key, value)
        schedule.save()
    return schedule
