"""A connection's boards and their sections, kept in step with Pinterest's ``GET /v5/boards``
and ``GET /v5/boards/{board_id}/sections``: on connect, on "sync boards" and in the daily job."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest.client import PinterestClient
from pinterest.errors import ConnectionUnusable, PinterestAuthError, PinterestError, PinterestNotFound
from pinterest.models import Board, BoardSection, PinterestConnection
from pinterest.services.tokens import connection_client, connection_mark_inactive

logger = logging.getLogger(__name__)


@dataclass
class BoardSyncResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    total: int = 0
    sections: "SectionSyncResult | None" = None

    def as_dict(self) -> dict:
        counts: dict[str, int | dict] = {
            "created": self.created, "updated": self.updated, "archived": self.archived, "total": self.total,
        }
        if self.sections is not None:
            counts["sections"] = self.sections.as_dict()
        return counts


@dataclass
class SectionSyncResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    total: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "archived": self.archived, "total": self.total}


def boards_sync(*, connection_id: int) -> BoardSyncResult:
    """Make the connection's boards match Pinterest's ``GET /v5/boards`` (every page), then each
    live board's sections (``board_sections_sync``).

    New boards are created, changed ones (name, description, privacy) updated, boards
    gone from Pinterest archived (their pins keep their history; publishing refuses an
    archived board) and an archived board that reappears is un-archived (counted as
    updated). ``total`` is the number of boards on Pinterest.

    Raises PinterestConnection.DoesNotExist, ConnectionUnusable, PinterestError. A 401
    from Pinterest marks the connection inactive, as publishing does.
    """
    connection = PinterestConnection.objects.get(pk=connection_id)
    client = connection_client(connection=connection)
    try:
        remote = client.list_boards()
    except PinterestAuthError as exc:
        connection_mark_inactive(
            connection_id=connection.pk,
            error=f"Pinterest rejected the access token of {connection}: {exc.user_message}",
        )
        raise
    now = timezone.now()
    result = BoardSyncResult(total=len(remote))
    seen = set()
    with transaction.atomic():
        # One sync of a connection at a time: two would both create the same new board.
        PinterestConnection.objects.select_for_update().filter(pk=connection.pk).values_list("pk").get()
        existing = {board.pinterest_board_id: board for board in Board.objects.filter(connection=connection)}
        new_boards = []
        for item in remote:
            board_id = str(item.get("id") or "")
            if not board_id or board_id in seen:
                continue
            seen.add(board_id)
            values = {
                "name": str(item.get("name") or "")[:255],
                "description": str(item.get("description") or ""),
                "privacy": str(item.get("privacy") or "")[:20],
            }
            board = existing.get(board_id)
            if board is None:
                new_boards.append(Board(connection=connection, pinterest_board_id=board_id, synced_at=now, **values))
                continue
            changed = board.is_archived or any(getattr(board, name) != value for name, value in values.items())
            Board.objects.filter(pk=board.pk).update(is_archived=False, synced_at=now, **values)
            result.updated += int(changed)
        result.created = len(Board.objects.bulk_create(new_boards, batch_size=500))
        gone = [board.pk for key, board in existing.items() if key not in seen and not board.is_archived]
        result.archived = Board.objects.filter(pk__in=gone).update(is_archived=True, synced_at=now)
        if result.created or result.updated or result.archived:
            audit_trail.record("connection.sync_boards", connection, changes={
                "boards_created": [None, result.created], "boards_updated": [None, result.updated],
                "boards_archived": [None, result.archived],
            })
    logger.info(
        "Boards of connection %s synced: %s created, %s updated, %s archived, %s on Pinterest",
        connection.pk, result.created, result.updated, result.archived, result.total,
    )
    result.sections = board_sections_sync(connection_id=connection.pk, client=client)
    return result


def board_sections_sync(*, connection_id: int, client: PinterestClient | None = None) -> SectionSyncResult:
    """Make the sections of the connection's live boards match Pinterest's (every page).

    As with boards: new sections are created, renamed ones updated, sections gone from
    Pinterest archived (pins keep them for history; publishing refuses them), a reappearing
    one un-archived. A board Pinterest no longer knows (404 between the two listings) is left
    to the next boards sync. The HTTP calls run outside any transaction; each board's
    sections are written in one short transaction.

    Raises PinterestError (a 401 marks the connection inactive).
    """
    connection = PinterestConnection.objects.get(pk=connection_id)
    client = client or connection_client(connection=connection)
    result = SectionSyncResult()
    for board in Board.objects.filter(connection=connection, is_archived=False):
        try:
            remote = client.list_board_sections(board.pinterest_board_id)
        except PinterestNotFound:
            continue
        except PinterestAuthError as exc:
            connection_mark_inactive(
                connection_id=connection.pk,
                error=f"Pinterest rejected the access token of {connection}: {exc.user_message}",
            )
            raise
        result.total += len(remote)
        _sections_write(board=board, remote=remote, result=result)
    if result.created or result.updated or result.archived:
        audit_trail.record("connection.sync_sections", connection, changes={
            "sections_created": [None, result.created], "sections_updated": [None, result.updated],
            "sections_archived": [None, result.archived],
        })
    return result


def _sections_write(*, board: Board, remote: list[dict], result: SectionSyncResult) -> None:
    now = timezone.now()
    seen: set[str] = set()
    with transaction.atomic():
        # One writer per board at a time (two syncs would both create the same new section).
        Board.objects.select_for_update().filter(pk=board.pk).values_list("pk").get()
        existing = {section.pinterest_section_id: section for section in BoardSection.objects.filter(board=board)}
        new_sections = []
        for item in remote:
            section_id = str(item.get("id") or "")
            if not section_id or section_id in seen:
                continue
            seen.add(section_id)
            name = str(item.get("name") or "")[:180]
            section = existing.get(section_id)
            if section is None:
                new_sections.append(
                    BoardSection(board=board, pinterest_section_id=section_id, name=name, synced_at=now)
                )
                continue
            result.updated += int(section.is_archived or section.name != name)
            BoardSection.objects.filter(pk=section.pk).update(name=name, is_archived=False, synced_at=now)
        result.created += len(BoardSection.objects.bulk_create(new_sections, batch_size=500))
        gone = [section.pk for key, section in existing.items() if key not in seen and not section.is_archived]
        result.archived += BoardSection.objects.filter(pk__in=gone).update(is_archived=True, synced_at=now)


def connections_sync_boards() -> dict:
    """Sync the boards and sections of every active connection (the daily job); one account's
    trouble is counted and logged, never stops the others. Returns ``{total, synced, failed}``."""
    summary = {"total": 0, "synced": 0, "failed": 0}
    for connection_id in PinterestConnection.objects.filter(is_active=True).values_list("pk", flat=True):
        summary["total"] += 1
        try:
            boards_sync(connection_id=connection_id)
        except (PinterestError, ConnectionUnusable) as exc:
            logger.warning("daily boards sync of connection %s failed: %s", connection_id, exc)
            summary["failed"] += 1
            continue
        summary["synced"] += 1
    return summary
