"""The record of pins' journey to Pinterest: every attempt, the bulk publish batches and their
items, and the places of the runner tasks."""

import uuid

from django.db import models
from django.utils.translation import ngettext

from publishing.conf import publishing_settings
from publishing.models.content import Pin, PublishTrigger, Tenant


class PublishAttempt(models.Model):
    """One call to Pinterest (or one look at the board) for a pin: the audit trail."""

    class Kind(models.TextChoices):
        CREATE = "create", "Create the pin"
        LOOK = "look", "Look at the board"

    class Outcome(models.TextChoices):
        PENDING = "pending", "In progress"
        SUCCESS = "success", "Created"
        FAILED = "failed", "Refused by Pinterest"
        RATE_LIMITED = "rate_limited", "Rate limited"
        UNKNOWN = "unknown", "Outcome unknown"
        FOUND = "found", "Found on Pinterest after an unknown outcome"
        NOT_FOUND = "not_found", "Not found on Pinterest after an unknown outcome"

    pin = models.ForeignKey(Pin, on_delete=models.CASCADE, related_name="attempts")
    trigger = models.CharField(max_length=10, choices=PublishTrigger.choices)
    # A create may have made a pin on Pinterest; a look never does. Recovery needs to tell them apart.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CREATE)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    pinterest_request_id = models.CharField(max_length=128, blank=True)
    pinterest_pin_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["pin", "started_at"], name="attempt_pin_started_idx")]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} attempt for {self.pin_id}: {self.outcome}"


class PublishBatch(models.Model):
    """A bulk publish request; its per-pin results are its items."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="publish_batches")
    created_by = models.ForeignKey(
        publishing_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    trigger = models.CharField(
        max_length=10, choices=PublishTrigger.choices, default=PublishTrigger.BULK
    )
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "publish batches"

    def __str__(self) -> str:
        return ngettext("Batch %(id)s (%(count)d pin)", "Batch %(id)s (%(count)d pins)", self.total) % {
            "id": self.id, "count": self.total
        }


class PublishBatchItem(models.Model):
    batch = models.ForeignKey(PublishBatch, on_delete=models.CASCADE, related_name="items")
    pin = models.ForeignKey(Pin, on_delete=models.CASCADE, related_name="batch_items")
    # None while pending; True/False once this pin's publish in this batch has ended.
    success = models.BooleanField(null=True, blank=True)
    # The pin was already on Pinterest: nothing was sent for it (success is True, not counted as
    # published by this batch).
    skipped = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "pin"], name="uniq_pin_per_batch"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pin_id} in {self.batch_id}"


class PublishRunner(models.Model):
    """A place for one runner task (``publishing.engine.runners``): at most ``PUBLISH_RUNNERS``
    run at once across every cluster. The token names the task that holds the place; a
    runner renews ``held_until`` as it works, so a place whose runner died is free again soon."""

    slot = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=32, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot"]

    def __str__(self) -> str:
        return f"runner {self.slot}"
