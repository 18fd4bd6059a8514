"""How the API presents an audit event, its filters, and the CSV columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from rest_framework import serializers

from audit.models import AuditEvent

CSV_COLUMNS = (
    "at", "actor_kind", "actor", "action", "object_type", "object_id", "object_repr", "changes", "request_id",
)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    actor_user_id = serializers.IntegerField(allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="{field: [before, after]}; a secret reads [\"(secret)\", \"(changed)\"].",
    )

    class Meta:
        model = AuditEvent
        fields = (
            "id", "at", "actor_kind", "actor", "actor_user_id", "action", "object_type", "object_id",
            "object_repr", "changes", "request_id",
        )


class AuditFilterSerializer(serializers.Serializer):
    object_type = serializers.CharField(required=False, max_length=40)
    object_id = serializers.CharField(required=False, max_length=64)
    actor = serializers.CharField(required=False, max_length=150)
    action = serializers.CharField(required=False, max_length=64)
    # "from"/"to" are Python keywords: the fields are renamed in ``parse_filters``.
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)


def _day_or_instant(value: str, *, end: bool) -> str | datetime:
    """A plain date means the whole day (UTC): ``from`` its start, ``to`` the next day's start."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return value
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(days=1 if end else 0)


def parse_filters(params: dict[str, str]) -> dict[str, Any]:
    """The query's filters; raises ValidationError naming the field (``from``, ``to``, ...)."""
    data: dict[str, str | datetime] = {
        key: value for key, value in params.items() if key in {"object_type", "object_id", "actor", "action"}
    }
    for given, name, end in (("from", "start", False), ("to", "end", True)):
        if params.get(given):
            data[name] = _day_or_instant(params[given], end=end)
    serializer = AuditFilterSerializer(data=data)
    if not serializer.is_valid():
        errors = {{"start": "from", "end": "to"}.get(k, k): v for k, v in serializer.errors.items()}
        raise serializers.ValidationError(errors)
    return dict(serializer.validated_data)


def csv_rows(events: list[AuditEvent]) -> list[dict[str, str]]:
    return [
        {
            "at": event.at.isoformat(), "actor_kind": event.actor_kind, "actor": event.actor_label,
            "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
            "object_repr": event.object_repr, "changes": json.dumps(event.changes, sort_keys=True),
            "request_id": event.request_id,
        }
        for event in events
    ]
