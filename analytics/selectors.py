"""Reads of the analytics app: what a sync works through, and what the API shows.

The dashboard reads (``project_analytics``, ``pin_analytics``) aggregate ``PinDailyMetrics`` over
a range of days through its indexes ((project, date), (project, board, date), (pin, date)).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet, Sum

from analytics.models import ConnectionAnalyticsState, PinAnalyticsState, PinDailyMetrics
from pinterest.models import Board, PinterestConnection, TenantRef
from publishing.models import BlogProject, Pin, PinStatus

METRICS = ("impressions", "saves", "pin_clicks", "outbound_clicks")
VIDEO_METRICS = ("video_views", "video_starts")
TOP_PINS = 20


@dataclass(frozen=True)
class PinToSync:
    id: uuid.UUID
    pinterest_pin_id: str
    kind: str
    project_id: int
    board_id: int | None
    published_at: datetime | None
    final_through: date | None
    synced_on: date | None


def pins_to_sync(*, connection_id: int) -> list[PinToSync]:
    """The connection's published pins that Pinterest still has (as far as we know), oldest first."""
    rows = (
        Pin.objects.filter(
            status=PinStatus.PUBLISHED, board__connection_id=connection_id, analytics_state__gone_at=None
        )
        .exclude(pinterest_pin_id="")
        .order_by("published_at", "id")
        .values_list("id", "pinterest_pin_id", "kind", "project_id", "board_id", "published_at",
                     "analytics_state__final_through", "analytics_state__synced_on")
    )
    return [PinToSync(*row) for row in rows]


def connections_to_sync() -> list[int]:
    """Active connections, by id."""
    return list(PinterestConnection.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


def connection_exists(*, connection_id: int) -> bool:
    return PinterestConnection.objects.filter(pk=connection_id).exists()


def connection_analytics_state(*, connection_id: int) -> ConnectionAnalyticsState | None:
    return ConnectionAnalyticsState.objects.filter(connection_id=connection_id).first()


def projects_for_tenant(*, tenant: TenantRef) -> QuerySet[BlogProject]:
    return BlogProject.objects.filter(tenant=tenant)


def pins_for_tenant(*, tenant: TenantRef) -> QuerySet[Pin]:
    return Pin.objects.filter(project__tenant=tenant)


def _sums(names: tuple[str, ...] = METRICS) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def _totals(rows: QuerySet[PinDailyMetrics], names: tuple[str, ...] = METRICS) -> dict[str, int]:
    totals = rows.aggregate(**_sums(names))
    return {name: totals[name] or 0 for name in names}


def project_analytics(*, project: BlogProject, start: date, end: date, top: int = TOP_PINS) -> dict[str, Any]:
    """A project's totals, per day, per board, per pin kind, and its top pins (by outbound clicks,
    then saves, then impressions) from ``start`` to ``end``.

    Two reads of the range (through the (project, date) index): one grouped by day, board and kind
    (at most days x boards x kinds rows, summed here into the day, board, kind and total views), and
    the top pins; then the names of those boards and pins."""
    rows = PinDailyMetrics.objects.filter(project=project, date__gte=start, date__lte=end)
    cells: list[dict[str, Any]] = [dict(cell) for cell in rows.values("date", "board_id", "kind").annotate(**_sums())]
    per_day = _grouped(cells, "date")
    per_board = sorted(_grouped(cells, "board_id"), key=lambda row: (-row["impressions"], row["board_id"] or 0))
    boards = dict(Board.objects.filter(pk__in=[row["board_id"] for row in per_board]).values_list("pk", "name"))
    for row in per_board:
        row["board_name"] = boards.get(row["board_id"])
    ranked = rows.values("pin_id", "kind").annotate(**_sums())
    top_pins: list[dict[str, Any]] = [
        dict(row) for row in ranked.order_by("-outbound_clicks", "-saves", "-impressions", "pin_id")[:top]
    ]
    pins = {pk: (title, remote) for pk, title, remote in Pin.objects.filter(
        pk__in=[row["pin_id"] for row in top_pins]).values_list("pk", "title", "pinterest_pin_id")}
    for row in top_pins:
        row["title"], row["pinterest_pin_id"] = pins.get(row["pin_id"], ("", ""))
    return {
        "project": project.pk, "from": start, "to": end, "totals": _grouped(cells, None)[0],
        "per_day": per_day, "per_board": per_board, "per_kind": _grouped(cells, "kind"), "top_pins": top_pins,
    }


def _grouped(cells: list[dict[str, Any]], key: str | None) -> list[dict[str, Any]]:
    """The cells summed by ``key`` (None: one row of totals), in the key's order."""
    groups: dict[Any, dict[str, Any]] = {}
    for cell in cells:
        name = cell[key] if key else None
        group = groups.setdefault(name, {**({key: name} if key else {}), **dict.fromkeys(METRICS, 0)})
        for metric in METRICS:
            group[metric] += cell[metric] or 0
    if key is None:
        return [groups.get(None, dict.fromkeys(METRICS, 0))]
    return [groups[name] for name in sorted(groups, key=lambda value: (value is None, value))]


def pin_analytics(*, pin: Pin, start: date, end: date) -> dict[str, Any]:
    """A pin's totals and days from ``start`` to ``end`` (video metrics for a video pin)."""
    rows = PinDailyMetrics.objects.filter(pin=pin, date__gte=start, date__lte=end)
    names = METRICS + VIDEO_METRICS if pin.kind == "video" else METRICS
    fields = ("date", *names, *(("video_avg_watch_time_ms",) if pin.kind == "video" else ()), "data_status")
    state = PinAnalyticsState.objects.filter(pin=pin).first()
    return {
        "pin": pin.pk, "from": start, "to": end, "totals": _totals(rows, names),
        "per_day": list(rows.order_by("date").values(*fields)),
        "gone": bool(state and state.gone_at), "last_synced_at": state.last_synced_at if state else None,
    }


def tenant_totals(*, tenant: TenantRef, start: date, end: date, project_id: int | None = None) -> dict[str, int]:
    """The tenant's totals (or one of its projects') from ``start`` to ``end``: one read."""
    rows = PinDailyMetrics.objects.filter(project__tenant=tenant, date__gte=start, date__lte=end)
    return _totals(rows.filter(project_id=project_id) if project_id is not None else rows)
