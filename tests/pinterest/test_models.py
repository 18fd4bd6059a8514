import pytest
from django.db import IntegrityError, transaction

from pinterest.models import Board
from tests.factories import make_board, make_connection

pytestmark = pytest.mark.django_db


def test_database_refuses_a_duplicate_board_id_per_connection():
    board = make_board()
    with pytest.raises(IntegrityError), transaction.atomic():
        Board.objects.create(connection=board.connection, pinterest_board_id=board.pinterest_board_id, name="Copy")


def test_same_board_id_is_allowed_on_another_connection():
    board = make_board()
    make_board(pinterest_board_id=board.pinterest_board_id)
    assert Board.objects.filter(pinterest_board_id=board.pinterest_board_id).count() == 2


def test_database_refuses_a_second_connection_for_the_same_pinterest_user_in_a_tenant():
    conn = make_connection()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_connection(tenant=conn.tenant, pinterest_user_id=conn.pinterest_user_id)


def test_missing_scopes_names_what_the_app_needs_in_order():
    from pinterest.scopes import missing_scopes

    conn = make_connection(scopes="boards:read,pins:read")
    assert missing_scopes(conn.scope_list) == ["boards:write", "pins:write", "user_accounts:read"]
    assert missing_scopes("boards:read pins:read,user_accounts:read") == ["boards:write", "pins:write"]
