"""Work handed to django-q2's workers, by dotted path: the engine never imports ``tasks``."""

from collections.abc import Iterable
from uuid import UUID

from django_q.tasks import async_task

PUBLISH_BATCH_GROUP = "publishing.tasks.publish_batch_group"
PUBLISH_DUE = "publishing.tasks.publish_due"
PUBLISH_RUNNER = "publishing.tasks.publish_runner"


def enqueue_publish_batch_group(*, batch_id: UUID | str, pin_ids: Iterable[UUID | str]) -> None:
    """One connection's share of a batch, for one worker (paced on its connection)."""
    pin_ids = [str(pk) for pk in pin_ids]
    async_task(
        PUBLISH_BATCH_GROUP, str(batch_id), pin_ids,
        task_name=f"publish-batch-{batch_id}-{pin_ids[0]}", group=f"batch-{batch_id}",
    )


def enqueue_publish_due() -> str:
    """One sweep now, by a worker (the schedule runs the same task)."""
    return async_task(PUBLISH_DUE, task_name="publish-due-now")


def enqueue_runner(*, slot: int, token: str) -> None:
    """One runner's turn, for whichever worker of whichever cluster takes it first."""
    async_task(PUBLISH_RUNNER, slot, token, task_name=f"publish-runner-{slot}", group="publish-runners")
