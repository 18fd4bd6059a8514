"""Analytics: a pin's daily metrics and the account's daily totals.

Both operations are in Pinterest's ``org_analytics`` rate-limit category and read at most
90 days back (``start_date`` no earlier than today minus 90 days, ``end_date`` no more than
90 days after ``start_date``: https://developers.pinterest.com/docs/api/v5/pins-analytics/).
The client sends what it is given; the caller keeps to that window. The answers are keyed by
app type (``"ALL"`` when, as here, no ``app_types`` or ``split_field`` is sent); the client
returns the days of that one series, each as a ``DayMetrics``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from pinterest.client.transport import Transport
from pinterest.errors import PinterestUnavailable

#: The standard metrics of a pin (the ``metric_types`` every pin may ask for).
PIN_METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK")
#: What a video pin asks for besides: video views (MRC), starts, average watch time (ms).
VIDEO_METRICS = ("VIDEO_MRC_VIEW", "VIDEO_START", "VIDEO_AVG_WATCH_TIME")
#: The account's daily totals.
ACCOUNT_METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "ENGAGEMENT")
#: How far back Pinterest keeps a pin's and an account's daily metrics.
RETENTION_DAYS = 90


@dataclass(frozen=True)
class DayMetrics:
    """One day of one series: its date (UTC), Pinterest's ``data_status`` (``READY`` once the
    day is final; ``PROCESSING``, ``ESTIMATE`` while it may change; ``BEFORE_...`` when there is
    no data) and the metrics by Pinterest's name."""

    day: date
    status: str
    metrics: dict[str, float]


class AnalyticsApi(Transport):
    def get_pin_analytics(
        self, pin_id: str, *, start_date: date, end_date: date, metric_types: Sequence[str] = PIN_METRICS
    ) -> list[DayMetrics]:
        """``GET /pins/{pin_id}/analytics``: the pin's days from ``start_date`` to ``end_date``.

        Raises ``PinterestNotFound`` for a pin Pinterest no longer has, and the rest of the
        client's error tree; an answer without the series is ``PinterestUnavailable``.
        """
        path = f"/pins/{quote(str(pin_id), safe='')}/analytics"
        answer = self._request("GET", path, params=_params(start_date, end_date, metric_types))
        return _days(answer, what=f"GET {path}", request_id=self.last_request_id)

    def get_user_account_analytics(
        self, *, start_date: date, end_date: date, metric_types: Sequence[str] = ACCOUNT_METRICS
    ) -> list[DayMetrics]:
        """``GET /user_account/analytics``: the account's daily totals over the days asked for."""
        answer = self._request("GET", "/user_account/analytics", params=_params(start_date, end_date, metric_types))
        return _days(answer, what="GET /user_account/analytics", request_id=self.last_request_id)


def _params(start_date: date, end_date: date, metric_types: Sequence[str]) -> dict[str, Any]:
    # metric_types is an array in "form" style without explode: one comma-separated value.
    return {
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "metric_types": ",".join(metric_types),
    }


def _days(answer: object, *, what: str, request_id: str) -> list[DayMetrics]:
    """The ``daily_metrics`` of the answer's one series (``ALL``), read strictly: a shape that is
    not Pinterest's is ``PinterestUnavailable``, never a ``KeyError``."""

    def unreadable(why: str) -> PinterestUnavailable:
        return PinterestUnavailable(
            f"Pinterest's answer to {what} cannot be read: {why}", status_code=None, request_id=request_id,
            body=answer if isinstance(answer, dict) else None,
        )

    if not isinstance(answer, dict):
        raise unreadable("not an object")
    series = answer.get("ALL")
    if series is None and len(answer) == 1:
        series = next(iter(answer.values()))
    if series is None:
        return []
    if not isinstance(series, dict) or not isinstance(series.get("daily_metrics", []), list):
        raise unreadable("no daily_metrics list")
    days = []
    for record in series.get("daily_metrics", []):
        if not isinstance(record, dict):
            raise unreadable("a daily record is not an object")
        try:
            day = date.fromisoformat(str(record.get("date")))
        except ValueError:
            raise unreadable(f"a day's date {record.get('date')!r} is not YYYY-MM-DD") from None
        metrics = record.get("metrics") or {}
        if not isinstance(metrics, dict) or not all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in metrics.values()
        ):
            raise unreadable(f"the metrics of {day} are not numbers")
        values = {str(name): float(value) for name, value in metrics.items()}
        days.append(DayMetrics(day, str(record.get("data_status") or ""), values))
    return days
