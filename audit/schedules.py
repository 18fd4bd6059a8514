"""The audit app's django-q2 schedule, created idempotently by name.

- ``purge-audit``: daily at 04:30 UTC, deletes the events older than ``AUDIT_RETENTION_DAYS``
  (``audit.tasks.purge_audit``).
"""

from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

PURGE_SCHEDULE = "purge-audit"
PURGE_FUNC = "audit.tasks.purge_audit"
PURGE_AT_UTC = time(4, 30)


def audit_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    first = now.astimezone(UTC).replace(hour=PURGE_AT_UTC.hour, minute=PURGE_AT_UTC.minute, second=0, microsecond=0)
    if first <= now:
        first += timedelta(days=1)
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=PURGE_SCHEDULE).order_by("id"))
        for extra in existing[1:]:
            extra.delete()
        schedule = existing[0] if existing else Schedule(name=PURGE_SCHEDULE, next_run=first)
        schedule.func = PURGE_FUNC
        schedule.schedule_type = Schedule.DAILY
        schedule.repeats = -1
        if not schedule.next_run or schedule.next_run <= now:
            schedule.next_run = first
        schedule.save()
    return [schedule]
