"""The feeds app's django-q2 schedule, created idempotently by name (``schedule_put``).

- ``poll-due-feeds``: every minute, leases the feeds whose ``next_poll_at`` has come and queues one
  task per feed. Each feed is due every ``FEEDS_POLL_MINUTES`` (later while it fails), so the
  polls spread over the window instead of arriving all at once.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django_q.models import Schedule

from feeds.queue import POLL_DUE
from pinpublisher.schedules import schedule_put

POLL_DUE_SCHEDULE = "poll-due-feeds"


def feeds_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": POLL_DUE, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1,
              "next_run": now + timedelta(seconds=20)}
    return [schedule_put(POLL_DUE_SCHEDULE, fields, now=now)]
