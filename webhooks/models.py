"""A tenant's webhook endpoints, the events outbox, and every delivery and attempt.

An ``Event`` and its ``Delivery`` rows (one per endpoint that wants it) are written in the
transaction of the change they report (``webhooks.services.events``): the deliveries are the
outbox. A delivery is ``pending`` until an endpoint answers 2xx (``delivered``) or its retries
run out (``failed``). While a worker sends it, ``next_attempt_at`` is the end of that worker's
lease (``lease`` names the claim), so a worker that dies leaves it due again.
"""

import uuid

from django.db import models
from django.db.models import Q

from pinterest.fields import EncryptedFieldsQuerySet, EncryptedTextField


class EventType(models.TextChoices):
    PIN_PUBLISHED = "pin.published", "A pin was published"
    PIN_FAILED = "pin.failed", "A pin failed"
    PIN_RECONCILED = "pin.reconciled", "An unknown outcome was resolved by looking"
    BATCH_FINISHED = "batch.finished", "A publish batch finished"
    PIN_REVIEW_REQUESTED = "pin.review_requested", "A pin waits for an owner's approval"
    PIN_APPROVED = "pin.approved", "An owner approved a pin"
    PIN_REJECTED = "pin.rejected", "An owner sent a pin back with a comment"
    CONNECTION_NEEDS_RECONNECT = "connection.needs_reconnect", "A connection needs reconnecting"
    CONNECTION_REFRESH_FAILING = "connection.refresh_failing", "A connection's token refresh keeps failing"
    CONNECTION_SPAM_BLOCKED = "connection.spam_blocked", "A connection is blocked for suspected spam"
    CONNECTION_RECOVERED = "connection.recovered", "A connection recovered"


class Endpoint(models.Model):
    tenant = models.ForeignKey("publishing.Tenant", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=200, blank=True)
    #: The event types sent here; empty means every type (also the ones added later).
    event_types = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    #: Since when every attempt has failed (cleared by any 2xx); disabled after WEBHOOKS_DISABLE_AFTER_HOURS.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class EndpointSecret(models.Model):
    """A signing secret, encrypted at rest (the token keys). Every secret not expired signs:
    after a rotation the previous one signs beside the new one until ``expires_at``."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="secrets")
    secret = EncryptedTextField()
    created_at = models.DateTimeField()
    #: None while it is the current secret.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = EncryptedFieldsQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Secret of {self.endpoint_id} from {self.created_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("publishing.Tenant", on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=40, choices=EventType.choices)
    created_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def payload(self) -> dict:
        """What is delivered (and signed): the same for every delivery and redelivery."""
        return {
            "id": str(self.id),
            "type": self.type,
            "created": self.created_at.isoformat().replace("+00:00", "Z"),
            "tenant": self.tenant_id,
            "data": self.data,
        }


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (retries ran out)"


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    #: When it is due (pending), or until when the worker that claimed it may send it; None once settled.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: No retry is scheduled after this; the last attempt at or after it settles the delivery.
    give_up_at = models.DateTimeField()
    lease = models.UUIDField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="uniq_delivery_per_event_endpoint"),
        ]
        indexes = [
            # The delivery workers' claim reads only pending deliveries, by due time.
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=Q(status="pending")),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}: {self.status}"


class DeliveryAttempt(models.Model):
    """One POST to an endpoint: when, how it ended, how long it took, the first 1 KB of the answer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    #: Why it failed when no status says it (timeout, refused address, connection reset).
    error = models.TextField(blank=True)
    success = models.BooleanField()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["delivery", "started_at"], name="attempt_delivery_started_idx")]

    def __str__(self) -> str:
        return f"Attempt {self.started_at:%Y-%m-%d %H:%M:%S} of {self.delivery_id}: {self.status_code or self.error}"
