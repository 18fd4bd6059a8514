"""Pins from a CSV file in Pinterest's bulk-create format, all or nothing.

Columns (``COLUMNS``; names match case-insensitively, any order): Title, Media URL, Pinterest board, Thumbnail,
Description, Link, Publish date, Keywords, Alt text, Board section; Media URL, Pinterest board and Link required.
Each row makes a pin (``image_url`` = Media URL, fetched by Pinterest when the pin is published, never here) for
the article whose URL is Link (an article of the project with that URL is reused, else one is created). The
board is matched by name (ignoring case) among the boards of the project's Pinterest account, a Board section by
name among that board's live sections. Publish date is ISO 8601; without an offset it is read in the project's
time zone (as queue slots are: a time inside a spring-forward gap is the gap's end, a repeated time its first
occurrence); an empty one puts the pin into the project's queue (the next free slot, ``queue_slots``). Thumbnail
(video pins) and Keywords (no field in Pinterest's create-pin API) are read but not sent: the result says so.

All or nothing: every row is checked with the rules the API applies (``pin_checks``, the article
URL rule, ``rules.board_problem`` and ``schedule_problems``, the rule ``pin_schedule`` applies, its
window included), before anything is written; one refused row (a NUL in a cell too) imports
nothing. The pins are then written in bulk, already scheduled (a new pin has no state to race for,
so ``pin_schedule``'s conditional UPDATE per pin would only cost time), with the account's queue
locked while the free slots are chosen. Rows are numbered as a spreadsheet shows them: the header
is row 1. An editor's import into a project whose pins need approval leaves them in review.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest.models import Board, BoardSection
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus
from publishing.rules import (
    ARTICLE_TITLE_MAX,
    MSG_NO_CONNECTION,
    board_problem,
    check_article_url,
    check_image_url,
    check_text,
    schedule_problems,
    schedule_time_problem,
)
from publishing.selectors_queue import local_to_utc
from publishing.services.content.review import pins_review_hold_imported
from publishing.services.queue_slots import AccountQueues, queues_lock

# The one place a column maps to what it fills: a pin field, or what the row needs besides.
# (A new column, e.g. "Board section", is one line here and one in ``_read_row``.)
COLUMNS = {
    "Title": "title",
    "Media URL": "image_url",
    "Pinterest board": "board",
    "Thumbnail": "thumbnail",
    "Description": "description",
    "Link": "link",
    "Publish date": "publish_date",
    "Keywords": "keywords",
    "Alt text": "alt_text",
    "Board section": "board_section",
}
REQUIRED_COLUMNS = ("Media URL", "Pinterest board", "Link")
TEXT_COLUMNS = ("Title", "Description", "Alt text")

MAX_ROWS = 50_000
MAX_BYTES = 25 * 1024 * 1024
#: At most this many problems are listed (then how many more there are).
MAX_PROBLEMS = 200
VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".webm")

_url = URLValidator(schemes=["http", "https"])


@dataclass
class ImportResult:
    rows: int = 0
    pins_created: int = 0
    articles_created: int = 0
    articles_reused: int = 0
    scheduled: int = 0
    queued: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    pin_ids: list = field(default_factory=list)
    in_review: int = 0


@dataclass
class _Row:
    number: int
    values: dict[str, str]  # column name -> cell, stripped for everything but texts
    board: Board | None = None
    section: BoardSection | None = None
    scheduled_at: datetime | None = None


def _refuse(problems: list[str]) -> ValidationError:
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problems.")
    return ValidationError({"file": shown + ["Nothing was imported."]})


def _read(data: bytes) -> tuple[list[str], list[_Row]]:
    """The header's column names (canonical) and the rows. Raises ValidationError (``file``)."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [f"The file is over {MAX_BYTES // 1024 // 1024} MB."]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValidationError(
            {"file": [f"The file is not UTF-8 text (byte {err.start}); save the spreadsheet as CSV UTF-8."]}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ValidationError({"file": ["The file is empty: the first row must name the columns."]})
        canonical = {name.lower(): name for name in COLUMNS}
        columns, problems = [], []
        for cell in header:
            name = canonical.get(cell.strip().lower())
            if name is None:
                problems.append(f"row 1: unknown column {cell.strip()[:100]!r}; the columns are {', '.join(COLUMNS)}.")
            elif name in columns:
                problems.append(f"row 1: the column {name!r} appears twice.")
            columns.append(name or cell)
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                problems.append(f"row 1: the column {name!r} is missing.")
        if problems:
            raise _refuse(problems)
        rows: list[_Row] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line (spreadsheets add them at the end)
            if len(rows) >= MAX_ROWS:
                raise ValidationError({"file": [f"At most {MAX_ROWS} rows are imported at once."]})
            if len(cells) > len(columns):
                problems.append(f"row {number}: {len(cells)} cells, but the header names {len(columns)} columns.")
            values = {
                name: (cell if name in TEXT_COLUMNS else cell.strip())
                for name, cell in zip(columns, cells, strict=False)
            }
            problems.extend(
                f"row {number}: {name}: contains a NUL character (\\x00), which no text can hold; remove it."
                for name, cell in values.items() if "\x00" in cell
            )
            rows.append(_Row(number=number, values=values))
    except csv.Error as err:
        raise ValidationError({"file": [f"row {reader.line_num}: not valid CSV ({err})."]}) from None
    if problems:
        raise _refuse(problems)
    if not rows:
        raise ValidationError({"file": ["The file has a header but no rows."]})
    return columns, rows


def _parse_date(value: str, *, project: BlogProject) -> datetime:
    """An aware datetime; raises ValueError with the reason."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value[:100]!r} is not an ISO 8601 date and time (2030-05-01T09:00, or with an offset "
            "2030-05-01T09:00+02:00)."
        ) from None
    if len(value) <= 10:
        raise ValueError(f"{value[:100]!r} has no time of day; give one (2030-05-01T09:00).")
    if parsed.tzinfo is None:
        return local_to_utc(day=parsed.date(), at=parsed.time(), zone=project.zone)
    return parsed


class _Boards:
    """The account's boards by name, ignoring case."""

    def __init__(self, project: BlogProject):
        self.project = project
        self.by_name: dict[str, list[Board]] = {}
        self.sections: dict[int, dict[str, BoardSection]] = {}
        for board in Board.objects.filter(connection_id=project.pinterest_connection_id).select_related(
            "connection"
        ):
            self.by_name.setdefault(board.name.strip().lower(), []).append(board)

    def find(self, name: str) -> Board:
        """Raises ValueError with the reason."""
        matches = self.by_name.get(name.lower(), [])
        live = [board for board in matches if not board.is_archived]
        if len(live) > 1:
            raise ValueError(
                f"{len(live)} boards of {self.project.pinterest_connection} are named {name[:100]!r}; "
                "rename one on Pinterest and sync the boards."
            )
        board = live[0] if live else (matches[0] if matches else None)
        if board is None:
            account = self.project.pinterest_connection
            raise ValueError(f"no board named {name[:100]!r} on the Pinterest account {account}.")
        problem = board_problem(board, self.project)
        if problem:
            raise ValueError(problem)
        return board

    def section(self, board: Board, name: str) -> BoardSection | None:
        """The board's live section of that name (ignoring case), or None."""
        if board.pk not in self.sections:
            self.sections[board.pk] = {
                section.name.strip().lower(): section
                for section in BoardSection.objects.filter(board=board, is_archived=False)
            }
        return self.sections[board.pk].get(name.strip().lower())


def _check_row(
    row: _Row, *, project: BlogProject, boards: _Boards, has_slots: bool, now: datetime
) -> list[str]:
    """What is wrong with ``row`` (``column: reason`` each), by the rules the API applies."""
    values = row.values
    errors: dict[str, list[str]] = {}
    for column in TEXT_COLUMNS:
        check_text(COLUMNS[column], values.get(column, ""), errors)
    media_url = values.get("Media URL", "")
    if not media_url:
        errors.setdefault("image_url", []).append("required: the https URL of the pin's image.")
    else:
        check_image_url(media_url, errors)
        if not errors.get("image_url"):  # (its length is check_image_url's, as for the API)
            if media_url.lower().split("?", 1)[0].endswith(VIDEO_EXTENSIONS):
                errors.setdefault("image_url", []).append(
                    "a video cannot be imported from a URL (Pinterest takes videos as uploads); give an "
                    "image URL, and add video pins through the API or the admin."
                )
            else:
                try:
                    _url(media_url)
                except ValidationError:
                    errors.setdefault("image_url", []).append(f"{media_url!r} is not a valid URL.")
    link = values.get("Link", "")
    if not link:
        errors.setdefault("link", []).append("required: the URL of the article the pin links to.")
    else:
        check_article_url(link, errors)
        if not errors.get("url"):  # (its length is check_article_url's, as for the API)
            try:
                _url(link)
            except ValidationError:
                errors.setdefault("url", []).append(f"{link[:100]!r} is not a valid URL.")
    board_name = values.get("Pinterest board", "")
    if not board_name:
        errors.setdefault("board", []).append("required: the name of one of the account's boards.")
    else:
        try:
            row.board = boards.find(board_name)
        except ValueError as err:
            errors.setdefault("board", []).append(str(err))
    section_name = values.get("Board section", "")
    if section_name and row.board is not None:
        row.section = boards.section(row.board, section_name)
        if row.section is None:
            errors.setdefault("board_section", []).append(
                f"no section named {section_name[:100]!r} on board {row.board.name!r}; sync the boards if it is new."
            )
    publish_date = values.get("Publish date", "")
    if publish_date:
        try:
            row.scheduled_at = _parse_date(publish_date, project=project)
        except ValueError as err:
            errors.setdefault("scheduled_at", []).append(str(err))
        else:  # the window, before the queue's occupancy reads the time (9999-12-31 in a zone)
            if problem := schedule_time_problem(row.scheduled_at, now=now):
                errors.setdefault("scheduled_at", []).append(problem)
    elif not has_slots:
        errors.setdefault("scheduled_at", []).append(
            f"empty, and project {project.name!r} has no posting slots to queue the pin in; "
            "give a date or add slots."
        )
    return _named(row.number, errors)


_COLUMN_OF = {target: column for column, target in COLUMNS.items()}
_COLUMN_OF.update({"url": "Link", "scheduled_at": "Publish date", "image": "Media URL", "project": "Publish date"})


def _named(number: int, errors: dict[str, list[str]]) -> list[str]:
    order = list(COLUMNS)
    named = [(_COLUMN_OF.get(name, name), message) for name, messages in errors.items() for message in messages]
    named.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return [f"row {number}: {column}: {message}" for column, message in named]


def pins_import_csv(
    *, project: BlogProject, data: bytes, dry_run: bool = False, now: datetime | None = None
) -> ImportResult:
    """Import the pins of a bulk-create CSV into ``project``; all rows or none.

    ``dry_run`` checks everything (scheduling included) and writes nothing. Returns the counts.
    Raises ValidationError: ``project`` (no Pinterest account) or ``file`` with every problem as
    ``row N: <column>: <reason>`` and a last line "Nothing was imported.".
    """
    now = now or timezone.now()
    if project.pinterest_connection_id is None:
        raise ValidationError({"project": [f"{MSG_NO_CONNECTION}: connect one before importing pins."]})
    columns, rows = _read(data)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    if "Keywords" in columns and any(row.values.get("Keywords") for row in rows):
        result.notes.append(
            "Keywords were not imported: Pinterest's API has no field for them; put them in the description."
        )
    if "Thumbnail" in columns and any(row.values.get("Thumbnail") for row in rows):
        result.notes.append(
            "Thumbnails were not imported: they are the covers of video pins, added by upload (API or admin)."
        )
    boards = _Boards(project)
    has_slots = project.posting_slots.exists()
    problems: list[str] = []
    for row in rows:
        problems.extend(_check_row(row, project=project, boards=boards, has_slots=has_slots, now=now))
    valid = [row for row in rows if not any(p.startswith(f"row {row.number}:") for p in problems)] if problems else rows
    with transaction.atomic():
        pins = _plan(project=project, rows=valid, now=now, problems=problems)
        if problems:
            problems.sort(key=lambda p: int(p.split(":", 1)[0].removeprefix("row ")))
            raise _refuse(problems)
        _count(result, rows=valid, project=project)
        if not dry_run:
            _save(project=project, rows=valid, pins=pins, result=result)
            result.in_review = pins_review_hold_imported(project=project, pin_ids=result.pin_ids, now=now)
    return result


def _plan(*, project: BlogProject, rows: list[_Row], now: datetime, problems: list[str]) -> list[Pin]:
    """The rows' pins (unsaved), each with its time: its publish date, or the next free queue slot
    around the account's pins and the dated rows. Adds what ``schedule_problems`` (the rule of
    ``pin_schedule``) refuses to ``problems``. Call inside a transaction: the queue is locked."""
    queued = [row for row in rows if row.scheduled_at is None]
    cursor = None
    if queued:
        queues_lock(projects=[project])
        cursor = AccountQueues(after=now).cursor(project)
        for row in rows:
            if row.scheduled_at is not None:
                cursor.occupancy.take(row.scheduled_at)
    pins = []
    for row in rows:
        pin = Pin(
            project=project,
            board=row.board,
            board_section=row.section,
            title=row.values.get("Title", ""),
            description=row.values.get("Description", ""),
            alt_text=row.values.get("Alt text", ""),
            image_url=row.values["Media URL"],
            status=PinStatus.READY_TO_SCHEDULE,
        )
        try:
            at = row.scheduled_at
            if at is None:
                assert cursor is not None
                at = cursor.take()
            pin.scheduled_at = at
        except ValidationError as err:
            problems.extend(_named(row.number, err.message_dict))
            continue
        problems.extend(_named(row.number, schedule_problems(pin=pin, scheduled_at=at, now=now)))
        pins.append(pin)
    return pins


def _count(result: ImportResult, *, rows: list[_Row], project: BlogProject) -> None:
    links = {row.values["Link"] for row in rows}
    existing = set(BlogArticle.objects.filter(project=project, url__in=links).values_list("url", flat=True))
    result.pins_created = len(rows)
    result.articles_reused = len(existing)
    result.articles_created = len(links - existing)
    result.scheduled = sum(1 for row in rows if row.scheduled_at is not None)
    result.queued = len(rows) - result.scheduled


def _save(*, project: BlogProject, rows: list[_Row], pins: list[Pin], result: ImportResult) -> None:
    """Write the articles (an existing one of the same URL is reused) and the scheduled pins."""
    articles: dict[str, BlogArticle] = {}
    for article in BlogArticle.objects.filter(project=project).order_by("created_at", "id"):
        articles.setdefault(article.url, article)
    new = {}
    for row in rows:
        url = row.values["Link"]
        if url not in articles and url not in new:
            new[url] = BlogArticle(project=project, url=url, title=row.values.get("Title", "")[:ARTICLE_TITLE_MAX])
    BlogArticle.objects.bulk_create(new.values(), batch_size=1000)
    articles.update(new)
    for row, pin in zip(rows, pins, strict=True):
        pin.article = articles[row.values["Link"]]
    Pin.objects.bulk_create(pins, batch_size=1000)
    audit_trail.record_each("article.create", list(new.values()), tenant_id=project.tenant_id)
    audit_trail.record_each("pin.create", pins, tenant_id=project.tenant_id)
    result.pin_ids = [pin.pk for pin in pins]
