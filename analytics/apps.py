from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db.models.signals import pre_delete

if TYPE_CHECKING:
    from django_q.models import Schedule


def _pin_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    """A deleted pin's daily rows go by cascade; its numbers leave the dashboard's rollups first.

    A receiver rather than a call from publishing's pin delete: publishing may not import
    analytics (import-linter), and a cascade (a project, a demo reset) deletes pins too."""
    from analytics.services.rollup import pins_rollups_remove

    pins_rollups_remove(pin_ids=[instance.pk])


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        pre_delete.connect(_pin_deleted, sender="publishing.Pin", dispatch_uid="analytics_pin_deleted")

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """This app's django-q2 schedule (``analytics.schedules``), for ``manage.py setup_schedules``,
        which asks every app config that has this method."""
        from analytics.schedules import analytics_schedules_setup

        return analytics_schedules_setup(now=now)
