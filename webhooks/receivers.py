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
from publishing.signals import (
    batch_finished,
    pin_approved,
    pin_failed,
    pin_published,
    pin_reconciled,
    pin_rejected,
    pins_review_requested,
)
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


@receiver(pins_review_requested, dispatch_uid="webhooks.pins_review_requested")
def record_pins_review_requested(
    sender: type[Model], *, pin_ids: list[UUID | str], action: str, requested_by: str, requested_at: datetime,
    **kwargs: object,
) -> None:
    for pin_id in pin_ids:
        event_record_for_pin(
            event_type=EventType.PIN_REVIEW_REQUESTED, pin_id=pin_id,
            details={"status": "in_review", "action": str(action), "requested_by": requested_by,
                     "requested_at": requested_at},
        )


@receiver(pin_approved, dispatch_uid="webhooks.pin_approved")
def record_pin_approved(
    sender: type[Model], *, pin_id: UUID | str, action: str, approved_by: str, approved_at: datetime,
    **kwargs: object,
) -> None:
    event_record_for_pin(
        event_type=EventType.PIN_APPROVED, pin_id=pin_id,
        details={"action": str(action), "approved_by": approved_by, "approved_at": approved_at},
    )


@receiver(pin_rejected, dispatch_uid="webhooks.pin_rejected")
def record_pin_rejected(
    sender: type[Model], *, pin_id: UUID | str, comment: str, rejected_by: str, rejected_at: datetime,
    **kwargs: object,
) -> None:
    event_record_for_pin(
        event_type=EventType.PIN_REJECTED, pin_id=pin_id,
        details={"status": "draft", "comment": comment, "rejected_by": rejected_by, "rejected_at": rejected_at},
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
