"""The one way a change enters the trail: ``record`` (and ``snapshot`` to take "before").

A service takes ``before = snapshot(obj)`` ahead of its change and calls
``record("pin.update", obj, before=before)`` after it (in its transaction, so a change rolled back
leaves no event); a create passes no ``before``, a delete passes ``after=None``. Only the fields
that differ are kept. A service whose change is no model's fields gives ``changes`` itself.

Secrets never reach the trail: a field that is encrypted at rest (its class is named
``Encrypted...``) or named like a secret (``SECRET_NAMES``) is shown only as ``SECRET`` before
and ``CHANGED`` after when it differs. Imports no app.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit.actors import UNKNOWN_KIND, current_actor, current_request_id
from audit.conf import audit_settings
from audit.models import AuditEvent

SECRET = "(secret)"
CHANGED = "(changed)"
SECRET_NAMES = ("secret", "token", "hash", "password", "ciphertext")
#: Bookkeeping the trail does not repeat: when a row was touched is the event's own time.
SKIPPED = frozenset({"updated_at", "created_at", "last_used_at"})

Snapshot = dict[str, Any]
_MISSING = object()


class UnknownActor(Exception):
    """A write with no person, key or job acting (``AUDIT_REFUSE_UNKNOWN_ACTOR``)."""


def is_secret(field: models.Field) -> bool:
    name = field.name.lower()
    return type(field).__name__.startswith("Encrypted") or any(word in name for word in SECRET_NAMES)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def snapshot(obj: models.Model | None, fields: tuple[str, ...] | None = None) -> Snapshot:
    """The object's concrete fields as JSON values (foreign keys as their ids; secrets as a
    fingerprint that only says whether they changed)."""
    if obj is None:
        return {}
    values: Snapshot = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED or (fields is not None and field.name not in fields):
            continue
        raw = getattr(obj, field.attname)
        values[field.name] = (SECRET, hash(str(raw))) if is_secret(field) else _plain(raw)
    return values


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, _MISSING), after.get(name, _MISSING)
        if old == new:
            continue
        if isinstance(old, tuple) or isinstance(new, tuple):  # a secret: that it changed, never what
            changes[name] = [SECRET, CHANGED]
            continue
        changes[name] = [None if old is _MISSING else old, None if new is _MISSING else new]
    return changes


def tenant_id_of(obj: Any) -> int | None:
    """The tenant an object belongs to: its own ``tenant_id``, or its project's, pin's,
    connection's or board's."""
    for path in ("tenant_id", "project.tenant_id", "pin.project.tenant_id", "connection.tenant_id",
                 "board.connection.tenant_id"):
        value: Any = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return int(value)
    return None


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    before: Snapshot | None = None,
    after: Snapshot | None | object = _MISSING,
    changes: dict[str, list[Any]] | None = None,
    tenant_id: int | None = None,
    object_type: str | None = None,
    object_id: object = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Record that the current actor did ``action`` (``"<object type>.<verb>"``) to ``obj``.

    ``after`` defaults to ``snapshot(obj)`` now; ``after=None`` says the object is gone. Raises
    UnknownActor when nobody is acting and ``AUDIT_REFUSE_UNKNOWN_ACTOR`` is on.
    """
    actor = current_actor()
    if actor.kind == UNKNOWN_KIND and audit_settings.AUDIT_REFUSE_UNKNOWN_ACTOR:
        raise UnknownActor(
            f"{action}: nobody is acting (bind a request, or wrap the call in audit.actors.acting_as_job)."
        )
    if changes is None:
        now_values = snapshot(obj) if after is _MISSING else (after or {})
        changes = diff(before or {}, now_values)  # type: ignore[arg-type]
    return AuditEvent.objects.create(
        tenant_id=tenant_id if tenant_id is not None else (tenant_id_of(obj) if obj is not None else None),
        at=timezone.now(),
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:150],
        action=action,
        object_type=object_type or action.split(".", 1)[0],
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "") or ""),
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        changes=changes,
        request_id=current_request_id()[:64],
    )


def record_each(
    action: str, objs: Sequence[models.Model], *, tenant_id: int, changes: dict[str, list[Any]] | None = None
) -> None:
    """One event per object of a bulk write (a CSV import, a bulk publish), in one statement: each
    with ``changes``, or by default as created (its fields from null)."""
    actor = current_actor()
    if actor.kind == UNKNOWN_KIND and audit_settings.AUDIT_REFUSE_UNKNOWN_ACTOR:
        raise UnknownActor(f"{action}: nobody is acting.")
    at, request_id = timezone.now(), current_request_id()[:64]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                tenant_id=tenant_id, at=at, actor_kind=actor.kind, actor_user=actor.user,
                actor_label=actor.label[:150], action=action, object_type=action.split(".", 1)[0],
                object_id=str(obj.pk), object_repr=str(obj)[:200],
                changes=diff({}, snapshot(obj)) if changes is None else changes,
                request_id=request_id,
            )
            for obj in objs
        ],
        batch_size=1000,
    )
