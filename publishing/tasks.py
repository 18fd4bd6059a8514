"""django-q2 entry points: they take ids and call services, nothing more.

django-q2's ORM broker delivers at least once; every service called here is safe
to run twice (claims are compare-and-set, results are recorded once).
"""

from django_q.tasks import async_task

from publishing.services import publish


def publish_batch_group(batch_id, pin_ids):
    rest = publish.publish_batch_group(batch_id=batch_id, pin_ids=list(pin_ids))
    if rest:
        # The group outlasts one task's time: a continuation takes the pins not reached.
        enqueue_publish_batch_group(batch_id=batch_id, pin_ids=rest)


def enqueue_publish_batch_group(*, batch_id, pin_ids):
    async_task(
        "publishing.tasks.publish_batch_group",
        str(batch_id),
        [str(pk) for pk in pin_ids],
        task_name=f"publish-batch-{batch_id}-{pin_ids[0]}",
        group=f"batch-{batch_id}",
    )


def publish_due():
    """The scheduled sweep (every PUBLISH_SWEEP_MINUTES)."""
    from publishing.services.sweep import pins_publish_due

    report = pins_publish_due()
    # django-q2 stores the result; the per-pin details live in PublishAttempt rows.
    return {key: value for key, value in report.items() if key != "details"}


def enqueue_publish_due():
    """One sweep now, by the worker (the schedule runs the same task)."""
    return async_task("publishing.tasks.publish_due", task_name="publish-due-now")
