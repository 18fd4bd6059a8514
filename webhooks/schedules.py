"""The webhooks app's django-q2 schedule, created idempotently by name.

- ``deliver-due-webhooks``: every minute, sends the deliveries that are due (retries whose
  backoff has passed, deliveries whose worker died, any whose on-commit task was lost).
  New events do not wait for it: a task is enqueued when they commit.

Running the setup again updates the row in place; it never adds a second one.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from webhooks.queue import DELIVER_DUE

DELIVER_DUE_SCHEDULE = "deliver-due-webhooks"


def webhooks_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {
        "func": DELIVER_DUE,
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
        "repeats": -1,
        "next_run": now + timedelta(seconds=10),
    }
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=DELIVER_DUE_SCHEDULE).order_by("id"))
        for extra in existing[1:]:
            extra.delete()
        schedule = existing[0] if existing else Schedule(name=DELIVER_DUE_SCHEDULE)
        for key, value in fields.items():
            setattr(schedule, key, value)
        schedule.save()
    return [schedule]
