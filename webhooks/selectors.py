"""Every read of the webhooks app: the API, the admin and the delivery workers use these."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from pinpublisher import statements
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, EndpointSecret


def endpoints_for_tenant(*, tenant: Any) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(tenant=tenant)


def endpoints_wanting(*, event_type: str, **tenant_lookup: Any) -> list[Endpoint]:
    """The active endpoints that want ``event_type``, of the tenant ``tenant_lookup`` reaches
    (``tenant_id=3``, ``tenant__projects__pins=<pin id>``): one query."""
    endpoints = Endpoint.objects.filter(is_active=True, **tenant_lookup).only("id", "tenant_id", "event_types")
    return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]


def endpoints_wanting_for_pin(*, event_type: str, pin_id: UUID | str) -> list[Endpoint]:
    """``endpoints_wanting`` for the tenant of the pin ``pin_id``. Asked as every pin is decided,
    so on PostgreSQL compiled once and prepared (``pinpublisher.statements``)."""
    if not statements.enabled():
        return endpoints_wanting(event_type=event_type, tenant__projects__pins=pin_id)
    pin_id = pin_id if isinstance(pin_id, UUID) else UUID(str(pin_id))
    return [endpoint for endpoint in _for_pin(pin_id=pin_id) if endpoint.wants(event_type)]


def _for_pin_queryset(*, key: tuple, pin_id: UUID) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(is_active=True, tenant__projects__pins=pin_id).only("id", "tenant_id", "event_types")


_for_pin = statements.Precompiled(_for_pin_queryset, uuids=("pin_id",))


def deliveries_for_endpoint(*, endpoint: Endpoint, status: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("event")
    return deliveries.filter(status=status) if status else deliveries


def deliveries_with_attempts(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    """The endpoint's deliveries, each with its attempts newest first."""
    return deliveries_for_endpoint(endpoint=endpoint).prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("-started_at", "-id"))
    )


def signing_secrets(*, endpoint_ids: Iterable[int], now: datetime) -> dict[int, list[str]]:
    """The secrets that sign now, newest first, per endpoint (decrypted)."""
    secrets: dict[int, list[str]] = defaultdict(list)
    rows = EndpointSecret.objects.filter(endpoint_id__in=list(endpoint_ids)).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    for row in rows.order_by("-created_at", "-id"):
        secrets[row.endpoint_id].append(row.secret)
    return secrets


def overlap_ends_at(*, endpoint: Endpoint, now: datetime) -> datetime | None:
    """Until when an older secret still signs beside the current one (after a rotation)."""
    expiring = EndpointSecret.objects.filter(endpoint=endpoint, expires_at__gt=now).order_by("-expires_at")
    return expiring.values_list("expires_at", flat=True).first()
