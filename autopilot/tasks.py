"""django-q2 entry points of the autopilot app: thin, they take ids and call services."""

from autopilot.queue import enqueue_runs
from autopilot.services.runs import autopilot_run_execute, autopilot_runs_sweep


def run_autopilot(run_id: int) -> str:
    return autopilot_run_execute(run_id=run_id).summary()


def sweep_autopilot() -> int:
    """Every minute: the runs whose task was lost or whose worker died, queued again."""
    ids = autopilot_runs_sweep()
    enqueue_runs(run_ids=ids)
    return len(ids)
