"""The feeds app's django-q2 schedule, created idempotently by name.

- ``poll-due-feeds``: every minute, leases the feeds whose ``next_poll_at`` has come and queues one
  task per feed. Each feed is due every ``FEEDS_POLL_MINUTES`` (later while it fails), so the
  polls spread over the window instead of arriving all at once.

Running the setup again updates the row in place; it never adds a second one.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from feeds.queue import POLL_DUE

POLL_DUE_SCHEDULE = "poll-due-feeds"


def feeds_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": POLL_DUE, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1,
              "next_run": now + timedelta(seconds=20)}
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=POLL_DUE_SCHEDULE).order_by("id"))
        for extra in existing[1:]:
            extra.delete()
        schedule = existing[0] if existing else Schedule(name=POLL_DUE_SCHEDULE)
        for key, value in fields.items():
            setattr(schedule, key, value)
        schedule.save()
    return [schedule]
