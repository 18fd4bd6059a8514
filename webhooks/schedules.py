"""The webhooks app's django-q2 schedule, created idempotently by name (``schedule_put``).

- ``deliver-due-webhooks``: every minute, sends the deliveries that are due (retries whose
  backoff has passed, deliveries whose worker died, any whose on-commit task was lost).
  New events do not wait for it: a task is enqueued when they commit.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django_q.models import Schedule

from pinpublisher.schedules import schedule_put
from webhooks.queue import DELIVER_DUE

DELIVER_DUE_SCHEDULE = "deliver-due-webhooks"


def webhooks_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": DELIVER_DUE, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1,
              "next_run": now + timedelta(seconds=10)}
    return [schedule_put(DELIVER_DUE_SCHEDULE, fields, now=now)]
