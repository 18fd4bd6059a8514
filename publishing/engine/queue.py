"""Work handed to django-q2's workers, by dotted path: the engine never imports ``tasks``."""

from django_q.tasks import async_task

PUBLISH_DUE = "publishing.tasks.publish_due"
PUBLISH_ON_TIME = "publishing.tasks.publish_on_time"
PUBLISH_RUNNER = "publishing.tasks.publish_runner"


def enqueue_publish_on_time() -> None:
    """Start runners now (as the one-minute schedule would): a bulk batch is waiting."""
    async_task(PUBLISH_ON_TIME, task_name="publish-on-time-now")


def enqueue_publish_due() -> str:
    """One sweep now, by a worker (the schedule runs the same task)."""
    return async_task(PUBLISH_DUE, task_name="publish-due-now")


def enqueue_runner(*, slot: int, token: str, after_crash: bool = False) -> None:
    """One runner's turn, for whichever worker of whichever cluster takes it first
    (``after_crash``: it continues a turn that raised)."""
    args = (slot, token, True) if after_crash else (slot, token)
    async_task(PUBLISH_RUNNER, *args, task_name=f"publish-runner-{slot}", group="publish-runners")
