from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    from django_q.models import Schedule


def _task_begins(sender: Any, func: Any = None, task: dict | None = None, **kwargs: Any) -> None:
    from audit.actors import job_begins

    named = (task or {}).get("func")
    if not isinstance(named, str):
        named = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"
    job_begins(f"task {named}")


def _commands_act_as_jobs() -> None:
    """Every management command, present or added later, acts as the job ``manage.py <name>``:
    Django sends no signal when a command starts, so its ``execute`` is wrapped once here rather
    than each command remembering to say who it is."""
    from django.core.management.base import BaseCommand

    from audit.actors import acting_as_job

    if getattr(BaseCommand.execute, "_audit_wrapped", False):
        return
    original = BaseCommand.execute

    @functools.wraps(original)
    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        name = self.__module__.rsplit(".", 1)[-1]
        # A server's requests name their own actors: runserver is no job they act as.
        with acting_as_job(f"manage.py {name}", process_wide=name != "runserver"):
            return original(self, *args, **options)

    execute._audit_wrapped = True  # type: ignore[attr-defined]
    BaseCommand.execute = execute  # type: ignore[method-assign]


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import pre_execute

        pre_execute.connect(_task_begins, dispatch_uid="audit-task-actor")
        _commands_act_as_jobs()

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """The daily retention purge (``audit.schedules``), for ``manage.py setup_schedules``."""
        from audit.schedules import audit_schedules_setup

        return audit_schedules_setup(now=now)
