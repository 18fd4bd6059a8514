"""Recording events in the outbox, inside the transaction of the change they report.

The receivers (``webhooks.receivers``) call these while publishing's or pinterest's
transaction is open, so the ``Event`` and its ``Delivery`` rows commit with the pin, batch or
connection change, or roll back with it: a crash after the commit loses nothing (the rows
are there; the minute schedule sends them), a rolled-back change sends nothing. Once the
transaction commits, a task is enqueued to send the new deliveries at once.

A tenant without an endpoint that wants the type pays one query (prepared, for a pin's event)
and writes nothing.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from pinterest.models import Health, PinterestConnection
from publishing.models import Pin, PublishBatch
from publishing.selectors import batch_outcome_counts
from webhooks.conf import webhooks_settings
from webhooks.models import Delivery, Endpoint, Event, EventType
from webhooks.queue import enqueue_deliver
from webhooks.selectors import endpoints_wanting, endpoints_wanting_for_pin

HEALTH_EVENTS = {
    Health.NEEDS_RECONNECT: EventType.CONNECTION_NEEDS_RECONNECT,
    Health.REFRESH_FAILING: EventType.CONNECTION_REFRESH_FAILING,
    Health.SPAM_BLOCKED: EventType.CONNECTION_SPAM_BLOCKED,
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def event_record(
    *, tenant_id: int, event_type: str, data: dict[str, Any], endpoints: list[Endpoint], now: datetime | None = None
) -> Event:
    """Write the event and one pending delivery per endpoint (in the caller's transaction, or
    its own); the deliveries are sent once it commits."""
    now = now or timezone.now()
    give_up_at = now + webhooks_settings.retry_for
    with transaction.atomic():
        event = Event.objects.create(tenant_id=tenant_id, type=event_type, data=data, created_at=now)
        deliveries = Delivery.objects.bulk_create(
            Delivery(event=event, endpoint=endpoint, next_attempt_at=now, give_up_at=give_up_at, created_at=now)
            for endpoint in endpoints
        )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: enqueue_deliver(delivery_ids=delivery_ids))
    return event


def event_record_for_pin(*, event_type: str, pin_id: UUID | str, details: dict[str, Any],
                         now: datetime | None = None) -> Event | None:
    """``pin.published``, ``pin.failed`` or ``pin.reconciled`` for the pin's tenant (datetimes in
    ``details`` become ISO 8601 strings)."""
    endpoints = endpoints_wanting_for_pin(event_type=event_type, pin_id=pin_id)
    if not endpoints:
        return None
    pin = Pin.objects.filter(pk=pin_id).values("project_id", "project__tenant_id", "article_id", "board_id").get()
    data = {
        "pin_id": str(pin_id), "project_id": pin["project_id"], "article_id": pin["article_id"],
        "board_id": pin["board_id"],
        **{name: _iso(value) if isinstance(value, datetime) else value for name, value in details.items()},
    }
    return event_record(tenant_id=pin["project__tenant_id"], event_type=event_type, data=data, endpoints=endpoints,
                        now=now)


def event_record_batch_finished(*, batch_id: UUID | str, finished_at: datetime) -> Event | None:
    """``batch.finished`` with the batch's counts."""
    endpoints = endpoints_wanting(event_type=EventType.BATCH_FINISHED, tenant__publish_batches=batch_id)
    if not endpoints:
        return None
    batch = PublishBatch.objects.filter(pk=batch_id).values("tenant_id", "total", "trigger", "created_at").get()
    counts = batch_outcome_counts(batch_id=batch_id)
    data = {
        "batch_id": str(batch_id), "trigger": batch["trigger"], "total": batch["total"],
        "published": counts["published"], "skipped": counts["skipped"], "failed": counts["failed"],
        "created_at": _iso(batch["created_at"]), "finished_at": _iso(finished_at),
    }
    return event_record(tenant_id=batch["tenant_id"], event_type=EventType.BATCH_FINISHED, data=data,
                        endpoints=endpoints)


def event_record_connection_health(*, connection: PinterestConnection, health: str, detail: str,
                                   previous: str) -> Event | None:
    """``connection.needs_reconnect`` / ``refresh_failing`` / ``spam_blocked``, or
    ``connection.recovered`` when it no longer needs a person."""
    event_type = HEALTH_EVENTS.get(health, EventType.CONNECTION_RECOVERED)  # type: ignore[call-overload]
    endpoints = endpoints_wanting(event_type=event_type, tenant_id=connection.tenant_id)
    if not endpoints:
        return None
    data = {
        "connection_id": connection.pk, "username": connection.username,
        "pinterest_user_id": connection.pinterest_user_id, "health": health, "previous": previous or None,
        "detail": detail,
    }
    return event_record(tenant_id=connection.tenant_id, event_type=event_type, data=data, endpoints=endpoints)
