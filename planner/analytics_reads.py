"""What the planner's analytics show, read through analytics' selectors (as the API reads them)
and drawn by ``charts``: a project's page (totals, lines over the days, bars per board and per
kind, top pins with their pictures), a pin's sparkline, and the last 7 days' totals.

Days are Pinterest's (UTC); the range ends yesterday in the project's zone (today is never final).
A day without a row is a zero on the lines, so a gap reads as "nothing" rather than being skipped.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse

from analytics.posting_times import PostingCell, posting_times
from analytics.selectors import pin_analytics, project_analytics, tenant_totals
from planner import charts
from planner.reads import project_zone, thumbnail_url
from publishing.models import BlogProject, Pin, PinKind, Tenant, Weekday

#: The ranges the page offers, in days.
RANGES = (30, 90)
#: A pin's sparkline covers this many days.
SPARK_DAYS = 30
#: The lines of the project's chart: (metric, what a person calls it).
LINES = (("impressions", "Impressions"), ("saves", "Saves"), ("outbound_clicks", "Outbound clicks"))
#: The totals the page shows, in order.
TOTALS = (("impressions", "Impressions"), ("saves", "Saves"), ("pin_clicks", "Pin clicks"),
          ("outbound_clicks", "Outbound clicks"))


def last_day(project: BlogProject | None, now: datetime) -> date:
    """Yesterday, in the project's zone (UTC without a project)."""
    today = now.astimezone(project_zone(project)).date() if project is not None else now.date()
    return today - timedelta(days=1)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def project_page(*, project: BlogProject, days: int, now: datetime) -> dict[str, Any]:
    """Everything the project's analytics page shows over the last ``days`` days."""
    end = last_day(project, now)
    start = end - timedelta(days=days - 1)
    data = project_analytics(project=project, start=start, end=end)
    per_day = {row["date"]: row for row in data["per_day"]}
    span = _days(start, end)
    zero = dict.fromkeys(name for name, _ in LINES)
    series = [(title, [int(per_day.get(day, zero)[name] or 0) for day in span]) for name, title in LINES]
    period = f"{_day_label(start)} to {_day_label(end)}"
    kinds = dict(PinKind.choices)
    per_board = [(row["board_name"] or "No board", int(row["impressions"])) for row in data["per_board"]]
    per_kind = [(str(kinds.get(row["kind"], row["kind"])), int(row["impressions"])) for row in data["per_kind"]]
    return {
        "start": start, "end": end, "days": days, "period": period,
        "has_data": bool(data["per_day"]),
        "totals": data["totals"],
        "total_cards": [(name, title, f"{data['totals'][name]:,}") for name, title in TOTALS],
        # Impressions run a hundred times the others: two charts, each with its own axis.
        "impressions": _lines(series[:1], span, period, charts.PALETTE[:1]),
        "engagement": _lines(series[1:], span, period, charts.PALETTE[1:3]),
        "legend": [(title, colour) for (_, title), colour in zip(LINES[1:], charts.PALETTE[1:3], strict=True)],
        "per_board": charts.bar_chart(
            label="Impressions per board: " + ", ".join(f"{name} {value:,}" for name, value in per_board),
            bars=per_board),
        "per_kind": charts.bar_chart(
            label="Impressions per pin kind: " + ", ".join(f"{name} {value:,}" for name, value in per_kind),
            bars=per_kind, colour=charts.PALETTE[2]),
        "top_pins": _top_pins(data["top_pins"]),
    }


def _lines(series: list[tuple[str, list[int]]], span: list[date], period: str, colours: tuple[str, ...]) -> str:
    names = " and ".join(title.lower() for title, _ in series)
    return charts.line_chart(
        label=f"{names.capitalize()} per day, {period}: " + ", ".join(
            f"{title.lower()} {sum(values):,} in all" for title, values in series),
        days=[_day_label(day) for day in span], series=series, colours=colours)


def _top_pins(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pins = Pin.objects.prefetch_related("carousel_items").in_bulk([row["pin_id"] for row in rows])
    top = []
    for row in rows:
        pin = pins.get(row["pin_id"])
        top.append({**row, "title": row["title"] or "Untitled pin",
                    "thumbnail": thumbnail_url(pin) if pin is not None else "",
                    "numbers": [f"{row[name]:,} {title.lower()}" for name, title in LINES],
                    "url": reverse("planner:pin", args=[row["pin_id"]])})
    return top


def pin_sparkline(*, pin: Pin, now: datetime) -> dict[str, Any] | None:
    """A published pin's impressions over the last 30 days (None for a pin never published)."""
    if pin.published_at is None:
        return None
    end = last_day(pin.project, now)
    start = end - timedelta(days=SPARK_DAYS - 1)
    data = pin_analytics(pin=pin, start=start, end=end)
    per_day = {row["date"]: row["impressions"] for row in data["per_day"]}
    values = [int(per_day.get(day, 0) or 0) for day in _days(start, end)]
    total = sum(values)
    return {
        "total": total, "total_shown": f"{total:,}", "has_data": bool(data["per_day"]), "days": SPARK_DAYS,
        "chart": charts.sparkline(label=f"Impressions per day over the last {SPARK_DAYS} days: {total:,} in all",
                                  values=values),
    }


def last_week(*, tenant: Tenant, project: BlogProject | None, now: datetime) -> dict[str, Any]:
    """The last 7 days' totals of the tenant (or of one project), and each as a person reads it."""
    end = last_day(project, now)
    totals = tenant_totals(tenant=tenant, start=end - timedelta(days=6), end=end,
                           project_id=project.pk if project is not None else None)
    return {"totals": totals, "parts": [f"{totals[name]:,} {title.lower()}" for name, title in LINES]}


def slot_label(weekday: int, hour: int) -> str:
    return f"{Weekday(weekday).label} {hour:02d}:00"


def _cell(cell: PostingCell) -> dict[str, Any]:
    return {"label": slot_label(cell.weekday, cell.hour), "pins": cell.pins,
            "clicks": f"{cell.mean_outbound_clicks:,.1f}", "saves": f"{cell.mean_saves:,.1f}"}


def posting_card(*, project: BlogProject) -> dict[str, Any]:
    """The "Best times to post" card: the suggested slots with their evidence, or how much evidence
    there is so far (the project's pins with metrics against the minimum)."""
    times = posting_times(project=project)
    return {"enough_data": times.enough_data, "suggested": [_cell(cell) for cell in times.suggested],
            "pins": times.pins, "min_total_pins": times.min_total_pins, "min_pins_per_cell": times.min_pins_per_cell,
            "timezone": times.timezone}
