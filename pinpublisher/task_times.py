"""How long a background task may run, and when django-q2 gives it to another worker.

``settings.py`` needs these numbers as it loads (``Q_CLUSTER``), before any app can be imported,
so they live in the project package; ``publishing.conf`` takes its default for
``PUBLISH_TASK_TIMEOUT_SECONDS`` and its retry margin from here. Nothing here reads settings.
"""

#: django-q2's task timeout unless ``PUBLISH_TASK_TIMEOUT_SECONDS`` is set.
TASK_TIMEOUT_SECONDS = 600

#: django-q2 retries a task this long after its timeout (Q_CLUSTER["retry"] is built from it).
TASK_RETRY_MARGIN_SECONDS = 120


def q_cluster_times(task_timeout_seconds: int | None) -> dict[str, int]:
    """django-q2's ``timeout`` and ``retry`` for ``Q_CLUSTER`` (settings.py calls this):
    retry must exceed timeout, or a slow task is handed to a second worker while it runs."""
    timeout = task_timeout_seconds or TASK_TIMEOUT_SECONDS
    return {"timeout": timeout, "retry": timeout + TASK_RETRY_MARGIN_SECONDS}
