"""The days Pinterest sent, stored: upserted in bulk on ``(pin, date)`` and ``(connection, date)``
(one INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike), and where each pin's and
each account's sync stands.

A pin's days are written with the dashboard's rollups, in one transaction
(``analytics.services.rollup.pin_rows_replace``): a revised day moves them by its difference."""

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from analytics.models import AccountDailyMetrics, ConnectionAnalyticsState, PinAnalyticsState, PinDailyMetrics
from analytics.selectors import PinToSync
from analytics.services.rollup import DAILY_FIELDS, pin_rows_replace
from pinterest.client import DayMetrics

ACCOUNT_FIELDS = ["impressions", "saves", "pin_clicks", "outbound_clicks", "engagement", "data_status", "updated_at"]
BATCH_SIZE = 1000


def _has_data(day: DayMetrics) -> bool:
    # BEFORE_PIN_CREATED, BEFORE_DATA_RETENTION_PERIOD, ...: Pinterest has no numbers for the day.
    return bool(day.metrics) and not day.status.startswith("BEFORE_")


def _count(day: DayMetrics, name: str) -> int:
    return max(0, int(day.metrics.get(name, 0)))


def pin_days_store(*, pin: PinToSync, days: Iterable[DayMetrics], now: datetime) -> int:
    """Upsert the pin's days that have numbers; returns how many."""
    video = pin.kind == "video"
    rows = [
        PinDailyMetrics(
            pin_id=pin.id, project_id=pin.project_id, board_id=pin.board_id, kind=pin.kind, date=day.day,
            impressions=_count(day, "IMPRESSION"), saves=_count(day, "SAVE"), pin_clicks=_count(day, "PIN_CLICK"),
            outbound_clicks=_count(day, "OUTBOUND_CLICK"),
            video_views=_count(day, "VIDEO_MRC_VIEW") if video else None,
            video_starts=_count(day, "VIDEO_START") if video else None,
            video_avg_watch_time_ms=float(day.metrics.get("VIDEO_AVG_WATCH_TIME", 0)) if video else None,
            data_status=day.status, updated_at=now,
        )
        for day in days
        if _has_data(day)
    ]
    pin_rows_replace(pin_id=pin.id, rows=rows, update_fields=DAILY_FIELDS)
    return len(rows)


def account_days_store(*, connection_id: int, days: Iterable[DayMetrics], now: datetime) -> int:
    rows = [
        AccountDailyMetrics(
            connection_id=connection_id, date=day.day, impressions=_count(day, "IMPRESSION"),
            saves=_count(day, "SAVE"), pin_clicks=_count(day, "PIN_CLICK"),
            outbound_clicks=_count(day, "OUTBOUND_CLICK"), engagement=_count(day, "ENGAGEMENT"),
            data_status=day.status, updated_at=now,
        )
        for day in days
        if _has_data(day)
    ]
    AccountDailyMetrics.objects.bulk_create(
        rows, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["connection", "date"],
        update_fields=ACCOUNT_FIELDS,
    )
    return len(rows)


def pin_state_save(
    *, pin_id: uuid.UUID, now: datetime, synced_on: date, final_through: date | None = None, gone: bool = False,
    error: str = "",
) -> None:
    """Record where the pin's sync stands: one upsert on the pin."""
    state = PinAnalyticsState(
        pin_id=pin_id, final_through=final_through, synced_on=synced_on, last_synced_at=now, last_error=error,
        gone_at=now if gone else None,
    )
    fields = ["final_through", "synced_on", "last_synced_at", "last_error", *(["gone_at"] if gone else [])]
    PinAnalyticsState.objects.bulk_create([state], update_conflicts=True, unique_fields=["pin"], update_fields=fields)


def connection_state(*, connection_id: int) -> ConnectionAnalyticsState:
    state, _created = ConnectionAnalyticsState.objects.get_or_create(connection_id=connection_id)
    return state


def connection_state_save(
    *, connection_id: int, now: datetime, final_through: date | None = None, resume_at: datetime | None = None,
    error: str = "", synced: bool = False, synced_on: date | None = None,
) -> None:
    """Record an account's sync: its totals' final day and the day they were fetched, when it may
    resume (a wait or a failure), its last error (blank: none), and (``synced``) that it ended."""
    fields: dict[str, object] = {"resume_at": resume_at, "last_error": error}
    if final_through is not None:
        fields["final_through"] = final_through
    if synced_on is not None:
        fields["synced_on"] = synced_on
    if error:
        fields["last_error_at"] = now
    if synced:
        fields["last_synced_at"] = now
    ConnectionAnalyticsState.objects.update_or_create(connection_id=connection_id, defaults=fields)
