"""Autopilot listens to publishing (``publishing.signals.article_from_feed``): a feed's new
article gets its run in the transaction that creates it, and the run's task is queued once that
commits, so the pins follow the poll within seconds."""

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from autopilot.queue import enqueue_runs
from autopilot.services.runs import autopilot_run_open
from publishing.signals import article_from_feed


@receiver(article_from_feed, dispatch_uid="autopilot-article-from-feed")
def open_run(sender: Any, *, article_id: int, project_id: int, **kwargs: Any) -> None:
    run = autopilot_run_open(article_id=article_id, project_id=project_id)
    if run is not None:
        run_id = run.pk
        transaction.on_commit(lambda: enqueue_runs(run_ids=[run_id]))
