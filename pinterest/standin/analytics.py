"""The stand-in's analytics: ``GET /v5/pins/{pin_id}/analytics`` and ``GET /v5/user_account/analytics``.

The numbers are deterministic: a pin's day depends on its kind (image, carousel, video), its
board, the weekday and hour (UTC) it was created, its age that day, and a small per-day wobble
of its id, so a suggestion of posting times has a real signal to find: pins created on weekend
evenings do best, pins created at night worst. The last ``REVISED_DAYS`` days before the stand-in's
"today" are ``ESTIMATE``s that grow as the days pass (Pinterest revises its recent days), older
ones ``READY``; a day before the pin was created is ``BEFORE_PIN_CREATED`` without metrics.
Pinterest's window holds: ``start_date`` no earlier than today minus 90 days, ``end_date`` no
more than 90 days after it (else 400). ``state.analytics_today`` moves "today" for tests.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

REVISED_DAYS = 3
RETENTION_DAYS = 90
PIN_METRICS = {"IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE", "SAVE_RATE", "TOTAL_COMMENTS",
               "TOTAL_REACTIONS", "USER_FOLLOW", "PROFILE_VISIT"}
VIDEO_PIN_METRICS = {"IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE", "SAVE_RATE", "VIDEO_MRC_VIEW",
                     "VIDEO_10S_VIEW", "QUARTILE_95_PERCENT_VIEW", "VIDEO_V50_WATCH_TIME", "VIDEO_START",
                     "VIDEO_AVG_WATCH_TIME", "TOTAL_COMMENTS", "TOTAL_REACTIONS"}
ACCOUNT_METRICS = {"ENGAGEMENT", "ENGAGEMENT_RATE", "IMPRESSION", "OUTBOUND_CLICK", "OUTBOUND_CLICK_RATE",
                   "PIN_CLICK", "PIN_CLICK_RATE", "SAVE", "SAVE_RATE"}
KIND_FACTOR = {"image": 1.0, "multiple_images": 1.4, "video": 1.8}
#: How complete a revised day is, by how many days before "today" it is (then 1.0).
COMPLETENESS = {0: 0.5, 1: 0.7, 2: 0.9}


def today(state) -> date:
    return state.analytics_today or datetime.now(UTC).date()


def window_problem(query: dict, now: date) -> tuple[date, date] | str:
    """(start, end), or what is wrong with them (Pinterest's 400)."""
    try:
        start, end = date.fromisoformat(query["start_date"]), date.fromisoformat(query["end_date"])
    except (KeyError, ValueError):
        return "start_date and end_date are required, as YYYY-MM-DD."
    if start < now - timedelta(days=RETENTION_DAYS):
        return f"start_date cannot be more than {RETENTION_DAYS} days back from today."
    if end < start or end > start + timedelta(days=RETENTION_DAYS):
        return f"end_date must be on or after start_date and at most {RETENTION_DAYS} days past it."
    return start, end


def metric_types(query: dict, allowed: set, *, required: bool) -> list[str] | str:
    names = [name for name in query.get("metric_types", "").split(",") if name]
    if not names:
        return "metric_types is required." if required else sorted(allowed)
    unknown = sorted(set(names) - allowed)
    return f"Unknown metric_types: {', '.join(unknown)}." if unknown else names


def _created(pin: dict) -> datetime:
    return datetime.fromisoformat(pin["created_at"])


def _wobble(pin_id: str, day: date) -> float:
    digest = hashlib.sha256(f"{pin_id}:{day.isoformat()}".encode()).digest()
    return 0.9 + digest[0] / 255 * 0.2


def slot_factor(created: datetime) -> float:
    """Weekend evenings best, nights worst (the signal posting-time suggestions look for)."""
    factor = 1.0
    if 18 <= created.hour <= 21:
        factor += 1.0
    if created.weekday() >= 5:
        factor += 0.5
    if created.hour <= 5:
        factor -= 0.5
    return factor


def pin_day(pin: dict, day: date, now: date) -> tuple[str, dict[str, float]]:
    """(data_status, every metric) of one pin on one day."""
    created = _created(pin)
    if day < created.date():
        return "BEFORE_PIN_CREATED", {}
    media_type = pin["media"]["media_type"]
    board_factor = 0.6 + int(pin["board_id"]) % 5 * 0.2
    slot = slot_factor(created)
    age = (day - created.date()).days
    behind = (now - day).days
    complete = COMPLETENESS.get(behind, 1.0)
    base = 200 * KIND_FACTOR.get(media_type, 1.0) * board_factor * slot / (1 + age / 7)
    impressions = int(base * _wobble(pin["id"], day) * complete)
    saves = int(impressions * 0.03 * slot)
    metrics = {
        "IMPRESSION": impressions,
        "SAVE": saves,
        "PIN_CLICK": int(impressions * 0.05),
        "OUTBOUND_CLICK": int(impressions * 0.02 * slot * KIND_FACTOR.get(media_type, 1.0)),
        "SAVE_RATE": round(saves / impressions, 4) if impressions else 0,
        "TOTAL_COMMENTS": 0,
        "TOTAL_REACTIONS": 0,
        "USER_FOLLOW": 0,
        "PROFILE_VISIT": int(impressions * 0.01),
    }
    if media_type == "video":
        views = int(impressions * 0.4)
        metrics |= {
            "VIDEO_MRC_VIEW": views, "VIDEO_START": int(impressions * 0.5), "VIDEO_10S_VIEW": int(views * 0.5),
            "QUARTILE_95_PERCENT_VIEW": int(views * 0.2),
            "VIDEO_AVG_WATCH_TIME": 2500.0 + int(pin["board_id"]) % 7 * 100,
            "VIDEO_V50_WATCH_TIME": views * 2500,
        }
    return ("ESTIMATE" if behind < REVISED_DAYS else "READY"), metrics


def _days(start: date, end: date, now: date):
    day = start
    while day <= min(end, now):
        yield day
        day += timedelta(days=1)


def _summary(records: list[dict], names: list[str]) -> dict[str, float]:
    totals = {name: sum(r.get("metrics", {}).get(name, 0) for r in records) for name in names}
    return {name: value for name, value in totals.items() if not name.endswith("_RATE")}


def pin_analytics(state, pin: dict, query: dict) -> tuple[int, dict]:
    now = today(state)
    window = window_problem(query, now)
    allowed = VIDEO_PIN_METRICS if pin["media"]["media_type"] == "video" else PIN_METRICS
    names = metric_types(query, PIN_METRICS | VIDEO_PIN_METRICS, required=True)
    if isinstance(window, str) or isinstance(names, str):
        message = window if isinstance(window, str) else names
        return 400, {"code": 1, "message": f"Invalid pins analytics parameters. {message}"}
    records = []
    for day in _days(*window, now):
        status, metrics = pin_day(pin, day, now)
        record: dict = {"date": day.isoformat(), "data_status": status}
        if metrics:
            record["metrics"] = {name: metrics[name] for name in names if name in allowed and name in metrics}
        records.append(record)
    body = {"daily_metrics": records, "summary_metrics": _summary(records, names), "lifetime_metrics": {}}
    return 200, {"ALL": body}


def account_analytics(state, pins: list[dict], query: dict) -> tuple[int, dict]:
    now = today(state)
    window = window_problem(query, now)
    names = metric_types(query, ACCOUNT_METRICS, required=False)
    if isinstance(window, str) or isinstance(names, str):
        message = window if isinstance(window, str) else names
        return 400, {"code": 1, "message": f"Invalid user accounts analytics parameters. {message}"}
    records = []
    for day in _days(*window, now):
        totals: dict[str, float] = {}
        for pin in pins:
            for name, value in pin_day(pin, day, now)[1].items():
                totals[name] = totals.get(name, 0) + value
        totals["ENGAGEMENT"] = totals.get("SAVE", 0) + totals.get("PIN_CLICK", 0) + totals.get("OUTBOUND_CLICK", 0)
        impressions = totals.get("IMPRESSION", 0)
        for rate, count in (("ENGAGEMENT_RATE", "ENGAGEMENT"), ("OUTBOUND_CLICK_RATE", "OUTBOUND_CLICK"),
                            ("PIN_CLICK_RATE", "PIN_CLICK"), ("SAVE_RATE", "SAVE")):
            totals[rate] = round(totals.get(count, 0) / impressions, 4) if impressions else 0
        status = "ESTIMATE" if (now - day).days < REVISED_DAYS else "READY"
        records.append({"date": day.isoformat(), "data_status": status,
                        "metrics": {name: totals.get(name, 0) for name in names}})
    return 200, {"ALL": {"daily_metrics": records, "summary_metrics": _summary(records, names)}}
