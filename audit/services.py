"""The trail's one write besides recording: the retention purge."""

from datetime import datetime, timedelta

from django.utils import timezone

from audit.conf import audit_settings
from audit.models import AuditEvent


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete the events older than ``AUDIT_RETENTION_DAYS``; returns how many went."""
    days = int(audit_settings.AUDIT_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return AuditEvent.objects.purge_before(cutoff)
