"""The django-q2 schedules, created idempotently by name.

- ``publish-on-time``: every minute, runners start when pins are due or about to be.
- ``publish-due-pins``: the sweep, every PUBLISH_SWEEP_MINUTES minutes (the safety net).
- ``refresh-pinterest-tokens``: daily at 02:00 UTC, connections expiring within 7 days.

Running the setup again updates the rows in place (``schedule_put``; the daily refresh keeps a next
run still ahead); it never adds one.
``catch_up`` is off in Q_CLUSTER, so downtime does not cause a burst of runs.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule

from pinpublisher.schedules import next_daily, schedule_put
from publishing.conf import publishing_settings

SWEEP = "publish-due-pins"
ON_TIME = "publish-on-time"
REFRESH = "refresh-pinterest-tokens"
REFRESH_AT_UTC = time(2, 0)
#: Refreshes that failed for a passing reason are tried again within hours, not the next day.
RETRY_REFRESH = "retry-failing-token-refreshes"
RETRY_REFRESH_MINUTES = 15


def schedules_setup(*, now: datetime | None = None) -> list[Schedule]:
    now = now or timezone.now()
    wanted = {
        ON_TIME: {
            "func": "publishing.tasks.publish_on_time",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
            "next_run": now + timedelta(seconds=5),
        },
        SWEEP: {
            "func": "publishing.tasks.publish_due",
            "schedule_type": Schedule.MINUTES,
            "minutes": publishing_settings.PUBLISH_SWEEP_MINUTES,
            "repeats": -1,
            "next_run": now + timedelta(seconds=5),
        },
        RETRY_REFRESH: {
            "func": "pinterest.tasks.retry_failing_refreshes",
            "schedule_type": Schedule.MINUTES,
            "minutes": RETRY_REFRESH_MINUTES,
            "repeats": -1,
            "next_run": now + timedelta(minutes=1),
        },
        REFRESH: {
            "func": "pinterest.tasks.refresh_expiring_connections",
            "schedule_type": Schedule.DAILY,
            "minutes": None,
            "repeats": -1,
            "next_run": next_daily(REFRESH_AT_UTC, now),
        },
    }
    return [schedule_put(name, fields, now=now, keep_next_run=name == REFRESH) for name, fields in wanted.items()]
