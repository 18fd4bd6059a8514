"""A connection's boards, kept in step with Pinterest's ``GET /v5/boards``."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pinterest.errors import PinterestAuthError
from pinterest.models import Board, PinterestConnection
from pinterest.services.tokens import connection_client, connection_mark_inactive

logger = logging.getLogger(__name__)


@dataclass
class BoardSyncResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    total: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "archived": self.archived, "total": self.total}


def boards_sync(*, connection_id: int) -> BoardSyncResult:
    """Make the connection's boards match Pinterest's ``GET /v5/boards`` (every page).

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
    logger.info(
        "Boards of connection %s synced: %s created, %s updated, %s archived, %s on Pinterest",
        connection.pk, result.created, result.updated, result.archived, result.total,
    )
    return result
