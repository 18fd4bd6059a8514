"""One row per change: ``AuditEvent``. Append-only: a saved row is never updated, and only the
retention purge deletes (``AuditEvent.objects.purge_before``); the admin shows it read-only and
the API only lists it.

``changes`` is ``{field: [before, after]}`` (JSON values; a created object's "before" and a deleted
one's "after" are null). A secret (an encrypted token, a webhook secret, a key's hash) is never
stored: its pair reads ``["(secret)", "(changed)"]`` (``audit.record.SECRET``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """A saved audit event was to be changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit trail is append-only: events are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only: only the retention purge deletes.")

    def purge_before(self, cutoff: datetime) -> int:
        """Delete the events recorded before ``cutoff`` (the retention period; nothing else deletes)."""
        old = self.filter(at__lt=cutoff)
        return old._raw_delete(old.db)


class AuditEvent(models.Model):
    class ActorKind(models.TextChoices):
        PERSON = "person", "Person"
        API_KEY = "api_key", "API key"
        JOB = "job", "Job"
        UNKNOWN = "unknown", "Unknown"

    tenant = models.ForeignKey(
        "publishing.Tenant", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The username, the key's prefix or the job's name, kept when the user or key is gone.
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)  # "pin.update"
    object_type = models.CharField(max_length=40)  # "pin"
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id", "-at"], name="audit_object_at"),
            models.Index(fields=["tenant", "-at"], name="audit_tenant_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit trail is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only: only the retention purge deletes.")
