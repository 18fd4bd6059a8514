"""The webhooks app's answers to publishing's and pinterest's signals. Thin: each calls one
service, inside the sender's transaction (see ``publishing.signals`` and
``pinterest.signals``), so the event commits or rolls back with the change it reports.
"""

from datetime import datetime
from uuid import UUID

from django.db.models import Model
from django.dispatch import receiver

from pinterest.models import PinterestConnection
from pinterest.signals import connection_health_changed
from publishing.signals import batch_finished, pin_failed, pin_published, pin_reconciled
from webhooks.models import EventType
from webhooks.services.events import (
    event_record_batch_finished,
    event_record_connection_health,
    event_record_for_pin,
)


@receiver(pin_published, dispatch_uid="webhooks.pin_published")
def record_pin_published(
    sender: type[Model], *, pin_id: UUID | str, pinterest_pin_id: str, pinterest_pin_url: str, published_at: datetime,
    **kwargs: object,
) -> None:
    event_record_for_pin(
        event_type=EventType.PIN_PUBLISHED, pin_id=pin_id,
        details={"status": "published", "pinterest_pin_id": pinterest_pin_id, "pinterest_pin_url": pinterest_pin_url,
                 "published_at": published_at},
    )


@receiver(pin_failed, dispatch_uid="webhooks.pin_failed")
def record_pin_failed(
    sender: type[Model], *, pin_id: UUID | str, error: str, failed_at: datetime, **kwargs: object
) -> None:
    event_record_for_pin(
        event_type=EventType.PIN_FAILED, pin_id=pin_id,
        details={"status": "error", "error": error, "failed_at": failed_at},
    )


@receiver(pin_reconciled, dispatch_uid="webhooks.pin_reconciled")
def record_pin_reconciled(
    sender: type[Model], *, pin_id: UUID | str, status: str, pinterest_pin_id: str, pinterest_pin_url: str, error: str,
    **kwargs: object,
) -> None:
    event_record_for_pin(
        event_type=EventType.PIN_RECONCILED, pin_id=pin_id,
        details={"status": str(status), "pinterest_pin_id": pinterest_pin_id or None,
                 "pinterest_pin_url": pinterest_pin_url or None, "error": error or None},
    )


@receiver(batch_finished, dispatch_uid="webhooks.batch_finished")
def record_batch_finished(
    sender: type[Model], *, batch_id: UUID | str, finished_at: datetime, **kwargs: object
) -> None:
    event_record_batch_finished(batch_id=batch_id, finished_at=finished_at)


@receiver(connection_health_changed, dispatch_uid="webhooks.connection_health_changed")
def record_connection_health(
    sender: type[Model], *, connection: PinterestConnection, health: str, detail: str, previous: str, **kwargs: object
) -> None:
    event_record_connection_health(connection=connection, health=health, detail=detail, previous=previous)
