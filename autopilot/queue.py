"""Autopilot's work handed to django-q2's workers, by dotted path (services never import ``tasks``)."""

from collections.abc import Iterable

from django.db import transaction
from django_q.tasks import async_task

RUN = "autopilot.tasks.run_autopilot"
SWEEP = "autopilot.tasks.sweep_autopilot"


def enqueue_runs(*, run_ids: Iterable[int]) -> None:
    # One transaction for all (feeds.queue says why).
    with transaction.atomic():
        for run_id in run_ids:
            async_task(RUN, int(run_id), task_name=f"autopilot-run-{run_id}", save=False)
