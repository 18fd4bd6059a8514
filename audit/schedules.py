"""The audit app's django-q2 schedule, created idempotently by name (``schedule_put``).

- ``purge-audit``: daily at 04:30 UTC, deletes the events older than ``AUDIT_RETENTION_DAYS``
  (``audit.tasks.purge_audit``). A next run still ahead is kept.
"""

from datetime import datetime, time

from django.utils import timezone
from django_q.models import Schedule

from pinpublisher.schedules import next_daily, schedule_put

PURGE_SCHEDULE = "purge-audit"
PURGE_FUNC = "audit.tasks.purge_audit"
PURGE_AT_UTC = time(4, 30)


def audit_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": PURGE_FUNC, "schedule_type": Schedule.DAILY, "repeats": -1,
              "next_run": next_daily(PURGE_AT_UTC, now)}
    return [schedule_put(PURGE_SCHEDULE, fields, now=now, keep_next_run=True)]
