"""The analytics app's django-q2 schedule, created idempotently by name.

- ``sync-analytics``: daily at 03:00 UTC, an hour after the 02:00 token refresh
  (``publishing.schedules``), so the day's calls go out with fresh tokens; it queues one task per
  active connection (``analytics.tasks.sync_all_analytics``).

Running the setup again updates the row in place (keeping a next run still ahead); it never adds one.
"""

from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from analytics.queue import SYNC_ALL

SYNC_SCHEDULE = "sync-analytics"
SYNC_AT_UTC = time(3, 0)


def _next_daily(at: time, now: datetime) -> datetime:
    candidate = now.astimezone(UTC).replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def analytics_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields: dict[str, object] = {
        "func": SYNC_ALL, "schedule_type": Schedule.DAILY, "minutes": None, "repeats": -1,
        "next_run": _next_daily(SYNC_AT_UTC, now),
    }
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=SYNC_SCHEDULE).order_by("id"))
        for extra in existing[1:]:
            extra.delete()
        schedule = existing[0] if existing else Schedule(name=SYNC_SCHEDULE)
        if existing and schedule.next_run and schedule.next_run > now:
            fields["next_run"] = schedule.next_run
        for key, value in fields.items():
            setattr(schedule, key, value)
        schedule.save()
    return [schedule]
