"""Board sections follow Pinterest's, page by page, with the boards: on sync and in the daily job."""

import pytest

from pinterest.models import Board, BoardSection
from pinterest.services.boards import boards_sync
from pinterest.tasks import refresh_expiring_connections
from tests.factories import make_connection
from tests.pinterest.helpers import standin_connection

pytestmark = pytest.mark.django_db


def account(standin, boards=1):
    connection, _, board_ids = standin_connection(standin, boards=boards)
    return connection, board_ids


def sections(board_id):
    return {s.pinterest_section_id: s for s in BoardSection.objects.filter(board__pinterest_board_id=board_id)}


def test_sync_reads_every_page_of_every_boards_sections(standin):
    connection, (first, second) = account(standin, boards=2)
    made = [standin.add_board_section(first, f"Step {n}") for n in range(130)]
    other = standin.add_board_section(second, "Soups")

    result = boards_sync(connection_id=connection.pk)

    assert result.sections.as_dict() == {"created": 131, "updated": 0, "archived": 0, "total": 131}
    assert set(sections(first)) == set(made) and set(sections(second)) == {other}
    calls = [call for call in standin.calls if call.endpoint == "list_board_sections"]
    assert len(calls) == 3  # two pages for the first board, one for the second
    assert sections(second)[other].name == "Soups"


def test_a_section_gone_from_pinterest_is_archived_renamed_ones_updated_and_returning_ones_restored(standin):
    connection, (board,) = account(standin)
    keep = standin.add_board_section(board, "Soups")
    gone = standin.add_board_section(board, "Old")
    boards_sync(connection_id=connection.pk)

    standin.rename_board_section(keep, "Soups & stews")
    standin.delete_board_section(gone)
    result = boards_sync(connection_id=connection.pk)

    assert result.sections.as_dict() == {"created": 0, "updated": 1, "archived": 1, "total": 1}
    rows = sections(board)
    assert rows[keep].name == "Soups & stews" and not rows[keep].is_archived
    assert rows[gone].is_archived  # kept for the pins that name it

    BoardSection.objects.filter(pk=rows[keep].pk).update(is_archived=True)
    assert boards_sync(connection_id=connection.pk).sections.updated == 1
    assert not sections(board)[keep].is_archived


def test_an_archived_boards_sections_are_not_asked_for(standin):
    connection, (board,) = account(standin)
    standin.add_board_section(board, "Soups")
    boards_sync(connection_id=connection.pk)
    standin.remove_board(board)
    asked = len([call for call in standin.calls if call.endpoint == "list_board_sections"])

    boards_sync(connection_id=connection.pk)

    assert Board.objects.get(pinterest_board_id=board).is_archived
    assert len([call for call in standin.calls if call.endpoint == "list_board_sections"]) == asked
    (kept,) = sections(board).values()
    assert not kept.is_archived  # its history untouched


def test_the_daily_job_syncs_every_active_connections_boards_and_sections(standin):
    connection, (board,) = account(standin)
    section = standin.add_board_section(board, "Desserts")
    inactive, (_,) = account(standin)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    summary = refresh_expiring_connections()

    assert summary["boards"] == {"total": 1, "synced": 1, "failed": 0}
    assert set(sections(board)) == {section}


def test_one_account_failing_the_daily_sync_does_not_stop_the_others(standin):
    make_connection(pinterest_user_id="999", username="revoked", access_token="not-a-token-pinterest-knows")
    working, (board,) = account(standin)
    section = standin.add_board_section(board, "Soups")

    summary = refresh_expiring_connections()

    assert summary["boards"] == {"total": 2, "synced": 1, "failed": 1}
    assert set(sections(board)) == {section}
