"""The "History" of a pin's or a project's page: its audit events (``audit.selectors``), shaped for
people: who (a person, an API key by its prefix, a job), when (in the project's zone), what
(the action in words) and each changed field as before -> after. Secrets read "changed" only;
the trail never holds their values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from audit.record import CHANGED, SECRET
from audit.selectors import object_history
from pinpublisher.timezones import format_when
from pinterest.selectors import boards_for_tenant, connections_for_tenant
from publishing.selectors import articles_for_tenant

#: Verbs of the actions, as a page says them.
VERBS = {
    "create": "Created", "update": "Changed", "delete": "Deleted", "schedule": "Scheduled",
    "unschedule": "Took off the schedule", "publish_now": "Asked to publish now",
    "publish_requested": "Asked to publish (bulk)", "slots_replace": "Changed the weekly slots",
    "reconnect": "Reconnected", "disconnect": "Disconnected", "revoke": "Revoked",
    "review_request": "Sent for review", "approve": "Approved", "reject": "Sent back with a comment",
    "review_restore": "Put back in review (the publish was refused)",
}
KINDS = {"person": "", "api_key": "API key", "job": "Job", "unknown": "Unknown"}
#: Fields a page never lists: ids a person would not read.
HIDDEN = frozenset({"id", "project", "tenant"})
VALUE_MAX = 80


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class HistoryRow:
    who: str
    kind: str
    when: str
    at_iso: str
    what: str
    changes: list[Change] = field(default_factory=list)
    more: int = 0


#: Foreign keys a page names rather than numbers: the tenant's boards, accounts and articles.
NAMED = {
    "board": lambda tenant: boards_for_tenant(tenant=tenant),
    "pinterest_connection": lambda tenant: connections_for_tenant(tenant=tenant),
    "article": lambda tenant: articles_for_tenant(tenant=tenant),
}


def _names(tenant: Any, events: list[Any]) -> dict[tuple[str, Any], str]:
    """``(field, id) -> name`` for the ids the events' named fields hold, one query per field."""
    names: dict[tuple[str, Any], str] = {}
    for name, queryset in NAMED.items():
        ids = {value for event in events for value in event.changes.get(name, []) if isinstance(value, int)}
        if ids:
            names.update({(name, obj.pk): str(obj) for obj in queryset(tenant).filter(pk__in=ids)})
    return names


def _named(names: dict[tuple[str, Any], str], field: str, value: Any) -> Any:
    return names.get((field, value), value) if isinstance(value, int) else value


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value == CHANGED:
        return "changed"
    if value == SECRET:
        return "hidden"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = ", ".join(value)
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def history_rows(*, tenant: Any, object_type: str, object_id: object, zone: Any = None,
                 limit: int = 30, fields_shown: int = 6) -> list[HistoryRow]:
    rows = []
    events = object_history(tenant=tenant, object_type=object_type, object_id=object_id, limit=limit)
    names = _names(tenant, events)
    for event in events:
        verb = event.action.split(".", 1)[-1]
        changes = [
            Change(field=name.replace("_", " ").capitalize(),
                   before=_shown(_named(names, name, pair[0])), after=_shown(_named(names, name, pair[1])))
            for name, pair in sorted(event.changes.items())
            if name not in HIDDEN and isinstance(pair, list) and len(pair) == 2
        ]
        if verb in {"create", "delete"}:  # a whole object: what it was or became says enough
            changes = [c for c in changes if c.field in {"Title", "Name", "Url", "Status", "Board"}]
        rows.append(HistoryRow(
            who=event.actor_label, kind=KINDS.get(event.actor_kind, event.actor_kind),
            when=format_when(event.at, zone=zone), at_iso=event.at.isoformat(),
            what=VERBS.get(verb, verb.replace("_", " ").capitalize()),
            changes=changes[:fields_shown], more=max(0, len(changes) - fields_shown),
        ))
    return rows
