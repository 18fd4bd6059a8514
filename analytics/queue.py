"""Sync work handed to django-q2's workers, by dotted path (services and schedules never import
``tasks``): one task per connection, so one account's trouble never holds up another's."""

from datetime import datetime

from django.db import transaction
from django_q.models import Schedule
from django_q.tasks import async_task

SYNC_CONNECTION = "analytics.tasks.sync_connection_analytics"
SYNC_ALL = "analytics.tasks.sync_all_analytics"


def resume_name(connection_id: int) -> str:
    return f"analytics-resume-{connection_id}"


def enqueue_connection_sync(*, connection_id: int) -> None:
    """Sync one connection's analytics now, in a worker."""
    with transaction.atomic():
        async_task(SYNC_CONNECTION, connection_id, task_name=f"sync-analytics-{connection_id}")


def schedule_connection_resume(*, connection_id: int, at: datetime) -> None:
    """Sync the connection again at ``at`` (Pinterest asked to wait): a one-off schedule, one per
    connection (a later wait moves it), so no worker sleeps through the wait."""
    with transaction.atomic():
        Schedule.objects.update_or_create(
            name=resume_name(connection_id),
            defaults={"func": SYNC_CONNECTION, "args": repr((connection_id,)), "schedule_type": Schedule.ONCE,
                      "repeats": 1, "next_run": at},
        )
