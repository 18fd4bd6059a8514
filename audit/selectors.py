"""Reads of the trail: a tenant's events, filtered; an object's history for its page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def audit_events(
    *,
    tenant: Any,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The tenant's events, newest first. ``actor`` matches a label (username, key prefix, job)
    exactly or an actor kind; ``action`` an action exactly or, ending in ".", its prefix."""
    events = AuditEvent.objects.filter(tenant=tenant)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor:
        events = events.filter(Q(actor_label=actor) | Q(actor_kind=actor))
    if action:
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


def object_history(*, tenant: Any, object_type: str, object_id: object, limit: int = 50) -> list[AuditEvent]:
    """An object's latest events, newest first (a pin's or a project's page)."""
    return list(audit_events(tenant=tenant, object_type=object_type, object_id=str(object_id))[:limit])
