from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django_q.models import Schedule


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feeds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feeds import checks  # noqa: F401  (registers the system checks)

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """This app's django-q2 schedule (``feeds.schedules``), for ``manage.py setup_schedules``."""
        from feeds.schedules import feeds_schedules_setup

        return feeds_schedules_setup(now=now)
