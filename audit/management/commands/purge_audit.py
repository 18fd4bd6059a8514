from typing import Any

from django.core.management.base import BaseCommand

from audit.conf import audit_settings
from audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (the daily purge-audit schedule does the same)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = audit_purge()
        self.stdout.write(f"Purged {removed} audit event(s) older than {audit_settings.AUDIT_RETENTION_DAYS} days.")
