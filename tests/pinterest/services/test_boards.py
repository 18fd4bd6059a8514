"""boards_sync: the connection's boards follow Pinterest's, page by page."""

import pytest

from pinterest import client as client_module
from pinterest.errors import ConnectionUnusable, PinterestAuthError, PinterestUnavailable
from pinterest.models import Board, PinterestConnection
from pinterest.services.boards import boards_sync
from publishing.models import PinStatus
from tests.factories import make_board, make_pin, make_project
from tests.pinterest.helpers import standin_connection

pytestmark = pytest.mark.django_db


def account(standin, boards=0):
    return standin_connection(standin, boards=boards)


def board_counts(result):
    """The boards' counts (the sections' are tested in test_board_sections.py)."""
    return {key: value for key, value in result.as_dict().items() if key != "sections"}


def list_board_calls(standin):
    return [call for call in standin.calls if call.endpoint == "list_boards"]


def test_sync_reads_every_page_and_creates_the_boards(standin):
    pages = 3
    count = client_module.MAX_PAGE_SIZE * (pages - 1) + 1
    connection, _, board_ids = account(standin, boards=count)

    result = boards_sync(connection_id=connection.pk)

    assert board_counts(result) == {"created": count, "updated": 0, "archived": 0, "total": count}
    assert len(list_board_calls(standin)) == pages
    assert set(Board.objects.filter(connection=connection).values_list("pinterest_board_id", flat=True)) == set(
        board_ids
    )
    board = Board.objects.get(pinterest_board_id=board_ids[0])
    assert (board.privacy, board.is_archived) == ("PUBLIC", False) and board.synced_at is not None


def test_a_board_renamed_on_pinterest_is_updated(standin):
    connection, _, (first, second) = account(standin, boards=2)
    boards_sync(connection_id=connection.pk)
    with standin.lock:
        standin.board_map[first].name = "Summer recipes"
        standin.board_map[first].privacy = "SECRET"

    result = boards_sync(connection_id=connection.pk)

    assert board_counts(result) == {"created": 0, "updated": 1, "archived": 0, "total": 2}
    board = Board.objects.get(pinterest_board_id=first)
    assert (board.name, board.privacy) == ("Summer recipes", "SECRET")


def test_a_board_removed_on_pinterest_is_archived_and_its_pins_keep_their_history(standin):
    connection, _, (kept, removed) = account(standin, boards=2)
    boards_sync(connection_id=connection.pk)
    board = Board.objects.get(pinterest_board_id=removed)
    project = make_project(tenant=connection.tenant, connection=connection)
    pin = make_pin(project=project, board=board, status=PinStatus.PUBLISHED, pinterest_pin_id="42")
    standin.remove_board(removed)

    result = boards_sync(connection_id=connection.pk)

    assert board_counts(result) == {"created": 0, "updated": 0, "archived": 1, "total": 1}
    board.refresh_from_db()
    pin.refresh_from_db()
    assert board.is_archived
    assert (pin.board_id, pin.status, pin.pinterest_pin_id) == (board.pk, PinStatus.PUBLISHED, "42")
    assert not Board.objects.get(pinterest_board_id=kept).is_archived
    # Archived once: the next sync does not count it again.
    assert boards_sync(connection_id=connection.pk).archived == 0


def test_a_board_that_reappears_is_unarchived(standin):
    connection, user, (board_id,) = account(standin, boards=1)
    make_board(connection=connection, pinterest_board_id=board_id, name="Board 1", is_archived=True)
    result = boards_sync(connection_id=connection.pk)
    assert (result.created, result.updated) == (0, 1)
    assert not Board.objects.get(pinterest_board_id=board_id).is_archived


def test_new_boards_are_added_next_to_known_ones(standin):
    connection, user, _ = account(standin, boards=1)
    boards_sync(connection_id=connection.pk)
    standin.add_board(user, "Travel")
    result = boards_sync(connection_id=connection.pk)
    assert board_counts(result) == {"created": 1, "updated": 0, "archived": 0, "total": 2}


def test_other_connections_boards_are_untouched(standin):
    connection, _, _ = account(standin, boards=1)
    other = make_board(name="Someone else's")
    boards_sync(connection_id=connection.pk)
    other.refresh_from_db()
    assert not other.is_archived


def test_a_rejected_token_marks_the_connection_inactive(standin):
    connection, user, _ = account(standin, boards=1)
    standin.revoke_tokens(user)
    with pytest.raises(PinterestAuthError):
        boards_sync(connection_id=connection.pk)
    connection = PinterestConnection.objects.get(pk=connection.pk)
    assert not connection.is_active and "rejected the access token" in connection.last_error


def test_pinterest_failing_changes_nothing(standin):
    connection, _, _ = account(standin, boards=2)
    boards_sync(connection_id=connection.pk)
    standin.fail_next("503", endpoint="list_boards")
    with pytest.raises(PinterestUnavailable):
        boards_sync(connection_id=connection.pk)
    assert Board.objects.filter(connection=connection, is_archived=False).count() == 2
    assert PinterestConnection.objects.get(pk=connection.pk).is_active


def test_an_inactive_connection_is_not_synced(standin):
    connection, _, _ = account(standin, boards=1)
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=False)
    with pytest.raises(ConnectionUnusable):
        boards_sync(connection_id=connection.pk)
    assert not list_board_calls(standin)
