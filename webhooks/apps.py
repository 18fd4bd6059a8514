from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    # Models and services load after the app registry; these are only annotations here.
    from django_q.models import Schedule

    from webhooks.services.keys import SecretsRotated


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from webhooks import checks, receivers  # noqa: F401  (registers the system checks and receivers)

    def setup_schedules(self, *, now: datetime | None = None) -> list[Schedule]:
        """This app's django-q2 schedules (``webhooks.schedules``), for ``manage.py setup_schedules``,
        which asks every app config that has this method: publishing never imports webhooks."""
        from webhooks.schedules import webhooks_schedules_setup

        return webhooks_schedules_setup(now=now)

    def rotate_encrypted_keys(self, *, dry_run: bool, batch_size: int) -> tuple[str, SecretsRotated]:
        """Re-encrypt the signing secrets (``webhooks.services.keys``), for ``manage.py
        rotate_token_keys``, which asks every app config that has this method."""
        from webhooks.services.keys import secrets_rotate_keys

        return "signing secrets", secrets_rotate_keys(dry_run=dry_run, batch_size=batch_size)
