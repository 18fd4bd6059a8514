from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django_q.models import Schedule


class AutopilotConfig(AppConfig):
    name = "autopilot"
    verbose_name = "Autopilot"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from autopilot import receivers  # noqa: F401  (connects to publishing's article_from_feed)

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """This app's django-q2 schedule (``autopilot.schedules``), for ``manage.py setup_schedules``."""
        from autopilot.schedules import autopilot_schedules_setup

        return autopilot_schedules_setup(now=now)
