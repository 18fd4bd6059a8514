"""Reads of the analytics app: what a sync works through, and what the API shows.

A pin's read (``pin_analytics``) reads its ``PinDailyMetrics`` through (pin, date); a project's
dashboard (``project_analytics``) and the tenant's totals read the rollups.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet, Sum, Value

from analytics.models import (
    ConnectionAnalyticsState,
    PinAnalyticsState,
    PinDailyMetrics,
    PinWeekRollup,
    ProjectDayRollup,
)
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


def project_exists(*, project_id: int) -> bool:
    return BlogProject.objects.filter(pk=project_id).exists()


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
    then saves, then impressions) from ``start`` to ``end``: the same numbers as summing its
    ``PinDailyMetrics`` over the range, read from the rollups (``analytics.models``).

    Four small reads: the range's day cells grouped in the database by day, by board and by kind
    (a group of no daily rows is left out, as the rows would leave it out; the totals are the
    days' sum), and the top pins (``_top_pins``); then the names of those boards and pins."""
    cells = ProjectDayRollup.objects.filter(project=project, date__gte=start, date__lte=end)
    per_day = _grouped(cells, "date", "date")
    per_board = sorted(_per_board(cells), key=lambda row: (-row["impressions"], row["board_id"] or 0))
    totals = dict.fromkeys(METRICS, 0)
    for row in per_day:
        for name in METRICS:
            totals[name] += row[name]
    top_pins = _top_pins(project=project, start=start, end=end, top=top)
    pins = {pk: (title, remote) for pk, title, remote in Pin.objects.filter(
        pk__in=[row["pin_id"] for row in top_pins]).values_list("pk", "title", "pinterest_pin_id")}
    for row in top_pins:
        row["title"], row["pinterest_pin_id"] = pins.get(row["pin_id"], ("", ""))
    return {
        "project": project.pk, "from": start, "to": end, "totals": totals, "per_day": per_day,
        "per_board": per_board, "per_kind": _grouped(cells, "kind", "kind"), "top_pins": top_pins,
    }


def _grouped(cells: QuerySet[ProjectDayRollup], column: str, key: str) -> list[dict[str, Any]]:
    """The cells summed by ``column`` in the database (groups of no daily rows left out), in its
    order, each as ``{key: value, metric: sum, ...}``."""
    rows = (cells.values_list(column).annotate(counted=Sum("rows"), **_sums()).filter(counted__gt=0)
            .order_by(column).values_list(column, *METRICS))
    return [{key: value, **{name: int(number or 0) for name, number in zip(METRICS, numbers, strict=True)}}
            for value, *numbers in rows]


def _per_board(cells: QuerySet[ProjectDayRollup]) -> list[dict[str, Any]]:
    """The cells summed by board, with its name; a board that no longer exists reads as no board
    (None), as its daily rows do once it is gone, so its keys are merged before the groups of no
    rows are left out."""
    rows = list(cells.values_list("board_key").annotate(counted=Sum("rows"), **_sums()).order_by()
                .values_list("board_key", "counted", *METRICS))
    names: dict[int | None, str] = dict(
        Board.objects.filter(pk__in=[key for key, *_ in rows if key]).values_list("pk", "name"))
    groups: dict[int | None, list[int]] = {}
    for key, *numbers in rows:
        total = groups.setdefault(key if key in names else None, [0] * (len(METRICS) + 1))
        for index, number in enumerate(numbers):
            total[index] += int(number or 0)
    return [{"board_id": board, **dict(zip(METRICS, numbers[1:], strict=True)), "board_name": names.get(board)}
            for board, numbers in groups.items() if numbers[0]]


def _top_pins(*, project: BlogProject, start: date, end: date, top: int) -> list[dict[str, Any]]:
    """The ``top`` pins over the range: each pin's full weeks inside it from ``PinWeekRollup`` and
    the days at either edge (at most six each) from ``PinDailyMetrics``, summed per pin and kind
    and ranked in the database. A 90-day range reads about 13 rows per pin instead of 90."""
    first_week = start + timedelta(days=(7 - start.weekday()) % 7)  # the first Monday on or after start
    last_sunday = end - timedelta(days=(end.weekday() + 1) % 7)  # the last Sunday on or before end
    if first_week + timedelta(days=6) > last_sunday:  # no full week inside: every day from the daily rows
        first_week, last_sunday = end + timedelta(days=1), end
    weeks = (PinWeekRollup.objects.filter(project=project, week__gte=first_week, week__lte=last_sunday)
             .values("pin_id", "kind", "rows", *METRICS).order_by())
    edges = (PinDailyMetrics.objects.filter(project=project)
             .filter(Q(date__gte=start, date__lt=first_week) | Q(date__gt=last_sunday, date__lte=end))
             .annotate(rows=Value(1, output_field=BigIntegerField()))
             .values("pin_id", "kind", "rows", *METRICS).order_by())
    sql, params = weeks.union(edges, all=True).query.sql_with_params()
    q = connection.ops.quote_name
    sums = ", ".join(f"SUM({q(name)}) AS {q(name)}" for name in METRICS)
    ranked = (f"SELECT {q('pin_id')}, {q('kind')}, {sums} FROM ({sql}) AS parts GROUP BY {q('pin_id')}, {q('kind')} "
              f"HAVING SUM({q('rows')}) > 0 ORDER BY {q('outbound_clicks')} DESC, {q('saves')} DESC, "
              f"{q('impressions')} DESC, {q('pin_id')} LIMIT %s")
    uuid_field = PinDailyMetrics._meta.get_field("pin")
    with connection.cursor() as cursor:
        cursor.execute(ranked, [*params, top])
        return [{"pin_id": uuid_field.to_python(pin_id), "kind": kind,
                 **{name: int(value or 0) for name, value in zip(METRICS, sums, strict=True)}}
                for pin_id, kind, *sums in cursor.fetchall()]


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
    """The tenant's totals (or one of its projects') from ``start`` to ``end``: one read of the
    projects' day cells (``ProjectDayRollup``)."""
    cells = ProjectDayRollup.objects.filter(project__tenant=tenant, date__gte=start, date__lte=end)
    totals = (cells.filter(project_id=project_id) if project_id is not None else cells).aggregate(**_sums())
    return {name: int(totals[name] or 0) for name in METRICS}
