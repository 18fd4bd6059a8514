"""Which days a sync asks for, and which are final: the rules, without the database.

Pinterest keeps 90 days (``start_date`` no earlier than today minus 90) and revises its last
few: the last ``ANALYTICS_REVISED_DAYS`` days before today are fetched at every sync, and a day
is final once it is older than that AND Pinterest called it ``READY`` (not ``PROCESSING`` or an
``ESTIMATE``). A final day is never fetched again. Today itself is never asked for: Pinterest
has not counted it yet.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pinterest.client import RETENTION_DAYS, DayMetrics

#: Days whose numbers Pinterest may still change.
NOT_FINAL = frozenset({"PROCESSING", "ESTIMATE"})


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def empty(self) -> bool:
        return self.start > self.end


def fetch_window(
    *, today: date, final_through: date | None, first_day: date | None = None, days: int | None = None
) -> Window:
    """The days to ask for: after the last final day (or from ``first_day``, the day the pin was
    published), never before Pinterest's 90 days, through yesterday. ``days`` (a person's
    ``--days N``) asks for the last N days again even if final."""
    earliest = today - timedelta(days=RETENTION_DAYS)
    start = final_through + timedelta(days=1) if final_through else earliest
    if days is not None:
        start = min(start, today - timedelta(days=days))
    if first_day is not None:
        start = max(start, first_day)
    return Window(max(start, earliest), today - timedelta(days=1))


def final_through(
    *, window: Window, answered: Iterable[DayMetrics], previous: date | None, revised_days: int, today: date
) -> date | None:
    """The last day of which every day is stored and final, after ``answered`` came for ``window``."""
    last = min(window.end, today - timedelta(days=revised_days + 1))
    for day in sorted(answered, key=lambda d: d.day):
        if day.status in NOT_FINAL and day.day <= last:
            last = day.day - timedelta(days=1)
            break
    if last < window.start - timedelta(days=1):
        return previous
    return max(last, previous) if previous else last
