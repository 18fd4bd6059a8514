"""What ``/readyz`` checks, each a function that returns None when well or what failed.

Ready means this node can do its work: the database answers, every migration is applied,
django-q2's broker answers, the schedules the apps install exist, and, when pins have been
due for ``READY_RUNNER_SEEN_SECONDS``, some runner renewed its place within that time (a
service whose workers are all gone looks healthy otherwise). The checks after the database's
are skipped when it does not answer: they would only fail the same way.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule

from ops.conf import ops_settings
from publishing import schedules as publishing_schedules
from publishing.models import PublishRunner
from publishing.selectors import pins_due
from webhooks.schedules import DELIVER_DUE_SCHEDULE

#: The django-q2 schedules ``manage.py setup_schedules`` installs.
SCHEDULES = (
    publishing_schedules.ON_TIME,
    publishing_schedules.SWEEP,
    publishing_schedules.REFRESH,
    publishing_schedules.RETRY_REFRESH,
    DELIVER_DUE_SCHEDULE,
)


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"the database does not answer ({type(exc).__name__})"
    return None


def migrations() -> str | None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        return f"{len(plan)} migration(s) not applied: {names}; run manage.py migrate"
    return None


def broker() -> str | None:
    try:
        answered = get_broker().ping()
    except Exception as exc:  # noqa: BLE001  (any broker's failure, Redis's or another's, is "not ready")
        return f"the task broker does not answer ({type(exc).__name__})"
    return None if answered else "the task broker does not answer"


def schedules() -> str | None:
    present = set(Schedule.objects.filter(name__in=SCHEDULES).values_list("name", flat=True))
    missing = [name for name in SCHEDULES if name not in present]
    if missing:
        return f"schedule(s) missing: {', '.join(missing)}; run manage.py setup_schedules"
    return None


def runner() -> str | None:
    now = timezone.now()
    window = timedelta(seconds=ops_settings.READY_RUNNER_SEEN_SECONDS)
    if not pins_due(now=now - window).exists():
        return None
    # A live runner's place is renewed to a few heartbeats ahead; one seen within the window
    # holds a place until at least the window's start.
    if PublishRunner.objects.filter(held_until__gte=now - window).exclude(token="").exists():
        return None
    return (f"pins have been due for {window.seconds} s and no runner was seen within it: "
            "are the workers (manage.py qcluster) running?")


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": database,
    "migrations": migrations,
    "broker": broker,
    "schedules": schedules,
    "runner": runner,
}


def readiness() -> dict[str, str]:
    """Each check's name and ``"ok"``, ``"skipped"`` or what failed."""
    results: dict[str, str] = {}
    database_down = False
    for name, check in CHECKS.items():
        if database_down and name != "broker":
            results[name] = "skipped"
            continue
        try:
            problem = check()
        except DatabaseError as exc:
            problem = f"the database failed ({type(exc).__name__})"
        results[name] = problem or "ok"
        database_down = database_down or (name == "database" and problem is not None)
    return results
