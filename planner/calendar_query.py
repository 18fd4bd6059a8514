"""What a calendar asks for: the page's query (``?view=&date=&project=&board=&account=&status=``,
anything unknown the default) and its days, and the times a calendar sends (a drop, a "move to", a click on
an empty time for the composer).

A time typed in a "move to" control has no offset and is read in the pin's own project's zone
(named beside it); a drop carries an instant (an ISO time with its offset), so it means the same in
any zone. The calendar's own zone is the project's, or across the tenant the first project's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from pinterest.models import Board, PinterestConnection
from planner.reads import project_zone
from publishing.models import BlogProject
from publishing.selectors_calendar import CALENDAR_STATUSES
from publishing.selectors_queue import local_to_utc

VIEWS = ("week", "month", "agenda")
AGENDA_DAYS = 14
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MSG_BAD_TIME = "Give a date and a time, such as 2026-12-24T18:30."


def parse_at(value: str, *, zone: tzinfo) -> datetime:
    """The instant a calendar sent: an ISO time with an offset as it is, one without an offset as
    the wall time in ``zone`` (``local_to_utc``: a time that happens twice is its first). Raises
    ValidationError (on ``scheduled_at``) for anything else."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError) as err:
        raise ValidationError({"scheduled_at": [MSG_BAD_TIME]}) from err
    if timezone.is_aware(moment):
        return moment
    return local_to_utc(day=moment.date(), at=moment.time().replace(second=0, microsecond=0), zone=zone)


def composer_initial(params: Mapping[str, str], *, projects: QuerySet[BlogProject]) -> dict[str, Any]:
    """The new composer's initial values from a click on an empty time: ``?project=`` (one of
    ``projects``, else the first) and ``?at=`` (a wall time in that project's zone, as typed)."""
    project = _project_of(params.get("project"), projects) or projects.first()
    initial: dict[str, Any] = {"project": project}
    at = params.get("at", "")
    try:
        initial["scheduled_at"] = datetime.strptime(at[:16], LOCAL_FORMAT).strftime(LOCAL_FORMAT)
    except ValueError:
        pass
    return initial


def _project_of(value: str | None, projects: QuerySet[BlogProject]) -> BlogProject | None:
    if not value or not value.isdigit():
        return None
    return projects.filter(pk=int(value)).first()


def _id_of(value: str | None, rows: QuerySet[Any]) -> int | None:
    """``value`` as the id of one of ``rows``, or None (not a number, or not among them)."""
    if not value or not value.isdigit() or not rows.filter(pk=int(value)).exists():
        return None
    return int(value)


@dataclass(frozen=True)
class CalendarQuery:
    """What a calendar page shows: its view, the day it is about, one project or the tenant, and
    the pins' board, account (a Pinterest connection's id) and status."""

    view: str
    anchor: date
    project: BlogProject | None
    status: str
    zone: tzinfo
    zone_project: BlogProject | None
    board_id: int | None = None
    connection_id: int | None = None

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], *, projects: QuerySet[BlogProject], boards: QuerySet[Board],
        connections: QuerySet[PinterestConnection],
    ) -> CalendarQuery:
        """Read ``?view=&date=&project=&board=&account=&status=``; anything unknown is the default
        (the week, today, every board, every account). With an account, a board is one of its boards."""
        project = _project_of(params.get("project"), projects)
        connection_id = _id_of(params.get("account"), connections)
        if connection_id is not None:
            boards = boards.filter(connection_id=connection_id)
        board_id = _id_of(params.get("board"), boards)
        zone_project = project or projects.first()
        zone = project_zone(zone_project) if zone_project is not None else timezone.get_current_timezone()
        view = params.get("view", "")
        try:
            anchor = date.fromisoformat(params.get("date", ""))
        except ValueError:
            anchor = timezone.now().astimezone(zone).date()
        status = params.get("status", "")
        return cls(
            view=view if view in VIEWS else "week",
            anchor=anchor,
            project=project,
            status=status if status in CALENDAR_STATUSES else "",
            zone=zone,
            zone_project=zone_project,
            board_id=board_id,
            connection_id=connection_id,
        )

    @property
    def in_account(self) -> bool:
        """Whether the project (if one) publishes through the account chosen (if one): a project of
        another account has no pins here and no free slots to show."""
        return (self.project is None or self.connection_id is None
                or self.project.pinterest_connection_id == self.connection_id)

    def days(self) -> tuple[date, date]:
        """The first and the last day shown."""
        if self.view == "month":
            first = self.anchor.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
        if self.view == "week":
            monday = self.anchor - timedelta(days=self.anchor.weekday())
            return monday, monday + timedelta(days=6)
        return self.anchor, self.anchor + timedelta(days=AGENDA_DAYS - 1)

    def step(self, direction: int) -> date:
        """The anchor of the previous (-1) or next (1) page."""
        if self.view == "month":
            month = self.anchor.month - 1 + direction
            return date(self.anchor.year + month // 12, month % 12 + 1, 1)
        return self.anchor + timedelta(days=direction * (7 if self.view == "week" else AGENDA_DAYS))
