"""The webhooks app's answers to publishing's and pinterest's signals. Thin: each calls one
service, inside the sender's transaction (see ``publishing.signals`` and
``pinterest.signals``), so the event commits or rolls back with the change it reports.
"""

from django.dispatch import receiver

from pinterest.signals import connection_health_changed
from publishing.signals import batch_finished, pin_failed, pin_published, pin_reconciled
from webhooks.models import EventType
from webhooks.services.events import (
    event_record_batch_finished,
    event_record_connection_health,
    event_record_for_pin,
)


@receiver(pin_published, dispatch_uid="webhooks.pin_published")
def record_pin_published(sender, *, pin_id, pinterest_pin_id, pinterest_pin_url, published_at, **kwargs):
    event_record_for_pin(
        event_type=EventType.PIN_PUBLISHED, pin_id=pin_id,
        details={"status": "published", "pinterest_pin_id": pinterest_pin_id, "pinterest_pin_url": pinterest_pin_url,
                 "published_at": published_at},
    )


@receiver(pin_failed, dispatch_uid="webhooks.pin_failed")
def record_pin_failed(sender, *, pin_id, error, failed_at, **kwargs):
    event_record_for_pin(
        event_type=EventType.PIN_FAILED, pin_id=pin_id,
        details={"status": "error", "error": error, "failed_at": failed_at},
    )


@receiver(pin_reconciled, dispatch_uid="webhooks.pin_reconciled")
def record_pin_reconciled(sender, *, pin_id, status, pinterest_pin_id, pinterest_pin_url, error, **kwargs):
    event_record_for_pin(
        event_type=EventType.PIN_RECONCILED, pin_id=pin_id,
        details={"status": str(status), "pinterest_pin_id": pinterest_pin_id or None,
                 "pinterest_pin_url": pinterest_pin_url or None, "error": error or None},
    )


@receiver(batch_finished, dispatch_uid="webhooks.batch_finished")
def record_batch_finished(sender, *, batch_id, finished_at, **kwargs):
    event_record_batch_finished(batch_id=batch_id, finished_at=finished_at)


@receiver(connection_health_changed, dispatch_uid="webhooks.connection_health_changed")
def record_connection_health(sender, *, connection, health, detail, previous, **kwargs):
    event_record_connection_health(connection=connection, health=health, detail=detail, previous=previous)
