"""The autopilot app's django-q2 schedule, created idempotently by name (``schedule_put``).

- ``autopilot-sweep``: every minute, opens the runs of feed articles that have none (the safety
  net: the run is opened with its article) and queues the runs whose task was lost or whose
  worker died (``autopilot.services.runs.autopilot_runs_sweep``).
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django_q.models import Schedule

from autopilot.queue import SWEEP
from pinpublisher.schedules import schedule_put

SWEEP_SCHEDULE = "autopilot-sweep"


def autopilot_schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    fields = {"func": SWEEP, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1,
              "next_run": now + timedelta(seconds=30)}
    return [schedule_put(SWEEP_SCHEDULE, fields, now=now)]
