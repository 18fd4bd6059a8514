from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django_q.models import Schedule


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """This app's django-q2 schedule (``analytics.schedules``), for ``manage.py setup_schedules``,
        which asks every app config that has this method."""
        from analytics.schedules import analytics_schedules_setup

        return analytics_schedules_setup(now=now)
