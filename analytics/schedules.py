"""The analytics app's django-q2 schedule, created idempotently by name (``schedule_put``).

- ``sync-analytics``: daily at 03:00 UTC, an hour after the 02:00 token refresh
  (``publishing.schedules``), so the day's calls go out with fresh tokens; it queues one task per
  active connection (``analytics.tasks.sync_all_analytics``). A next run still ahead is kept.
"""

from datetime import datetime, time

from django.utils import timezone
from django_q.models import Schedule

from analytics.queue import SYNC_ALL
from pinpublisher.schedules import next_daily, schedule_put

SYNC_SCHEDULE = "sync-analytics"
SYNC_AT_UTC = time(3, 0)


def analytics_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": SYNC_ALL, "schedule_type": Schedule.DAILY, "minutes": None, "repeats": -1,
              "next_run": next_daily(SYNC_AT_UTC, now)}
    return [schedule_put(SYNC_SCHEDULE, fields, now=now, keep_next_run=True)]
