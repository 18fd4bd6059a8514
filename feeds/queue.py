"""Polling work handed to django-q2's workers, by dotted path (services and schedules never
import ``tasks``): one task per feed, so one feed's trouble never holds up another's."""

from collections.abc import Iterable

from django.db import transaction
from django_q.tasks import async_task

POLL_FEED = "feeds.tasks.poll_feed"
POLL_DUE = "feeds.tasks.poll_due_feeds"


def enqueue_feed_polls(*, feed_ids: Iterable[int]) -> None:
    # One transaction for all: django-q2's ORM broker outside one closes the caller's connection
    # per task (webhooks.queue says why).
    with transaction.atomic():
        for feed_id in feed_ids:
            async_task(POLL_FEED, int(feed_id), task_name=f"poll-feed-{feed_id}", save=False)
