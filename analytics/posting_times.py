"""Posting times from the account's own results (issue 27): which weekday and hour of publication
brought a project's pins the most outbound clicks (then saves), and how much evidence says so.

A cell is (weekday, hour) of a pin's ``published_at`` in the project's zone (weekday 0 = Monday),
with the pins published then and their mean outbound clicks and saves per pin (each pin's days
summed, all stored history). Only pins with stored metrics count: a pin not synced yet is no
evidence. The suggestion is the best ``ANALYTICS_SUGGEST_SLOTS`` cells holding at least
``ANALYTICS_SUGGEST_MIN_PINS`` pins each, by mean outbound clicks, ties by mean saves, then the
earlier cell. Below ``ANALYTICS_SUGGEST_MIN_TOTAL_PINS`` pins in all, or without a cell holding
enough, there is no suggestion ("not enough data yet"): a guess is never offered as evidence.

This module only reads; applying a suggestion is the interface's call to publishing's slots service.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Sum

from analytics.conf import analytics_settings
from analytics.models import PinWeekRollup
from pinpublisher.errors import Conflict
from publishing.models import BlogProject


class NotEnoughData(Conflict):
    """No suggestion to apply: too few pins with metrics (409 in the API)."""

    code = "not_enough_data"


@dataclass(frozen=True)
class PostingCell:
    weekday: int
    hour: int
    pins: int
    mean_outbound_clicks: float
    mean_saves: float

    @property
    def local_time(self) -> time:
        return time(self.hour, 0)


@dataclass(frozen=True)
class PostingTimes:
    project_id: int
    timezone: str
    cells: list[PostingCell]
    suggested: list[PostingCell]
    pins: int
    min_pins_per_cell: int
    min_total_pins: int

    @property
    def enough_data(self) -> bool:
        return bool(self.suggested)

    @property
    def slots(self) -> list[tuple[int, time]]:
        """The suggestion as weekly slots (weekday, local time), for the slots service."""
        return [(cell.weekday, cell.local_time) for cell in self.suggested]

    def slots_to_apply(self) -> list[tuple[int, time]]:
        """The suggested slots; NotEnoughData (saying how much evidence there is) when none."""
        if not self.suggested:
            raise NotEnoughData(
                f"Not enough data yet: {self.pins} of {self.min_total_pins} pins with metrics, and a "
                f"suggested hour needs {self.min_pins_per_cell} pins published in it."
            )
        return self.slots


def posting_times(*, project: BlogProject) -> PostingTimes:
    """The project's cells (by weekday, then hour) and the suggested ones, best first. One read:
    each pin's sums with its publication time, from its weeks (``PinWeekRollup``, a seventh of its
    daily rows; the same sums, kept exact by the writers)."""
    zone = project.zone
    per_pin = (
        PinWeekRollup.objects.filter(project=project, pin__published_at__isnull=False)
        .values("pin_id", "pin__published_at")
        .annotate(clicks=Sum("outbound_clicks"), saves=Sum("saves"), rows=Sum("rows"))
        .filter(rows__gt=0)
        .order_by()
    )
    sums: dict[tuple[int, int], list[int]] = {}
    for row in per_pin:
        published_at: datetime | None = row["pin__published_at"]
        if published_at is None:  # filtered out above; for the type checker
            continue
        local = published_at.astimezone(zone)
        cell = sums.setdefault((local.weekday(), local.hour), [0, 0, 0])
        cell[0] += 1
        cell[1] += row["clicks"] or 0
        cell[2] += row["saves"] or 0
    cells = [
        PostingCell(weekday, hour, pins, clicks / pins, saves / pins)
        for (weekday, hour), (pins, clicks, saves) in sorted(sums.items())
    ]
    total = sum(cell.pins for cell in cells)
    min_pins = int(analytics_settings.ANALYTICS_SUGGEST_MIN_PINS)
    min_total = int(analytics_settings.ANALYTICS_SUGGEST_MIN_TOTAL_PINS)
    suggested: list[PostingCell] = []
    if total >= min_total:
        ranked = sorted(
            (cell for cell in cells if cell.pins >= min_pins),
            key=lambda cell: (-cell.mean_outbound_clicks, -cell.mean_saves, cell.weekday, cell.hour),
        )
        suggested = ranked[: int(analytics_settings.ANALYTICS_SUGGEST_SLOTS)]
    return PostingTimes(
        project_id=project.pk, timezone=project.timezone, cells=cells, suggested=suggested, pins=total,
        min_pins_per_cell=min_pins, min_total_pins=min_total,
    )
