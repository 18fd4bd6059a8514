"""The board, account and image rules, the same words for the API, the admin and the engine."""

import pytest

from publishing.rules import MSG_NO_BOARD, MSG_NO_CONNECTION, MSG_NO_IMAGE, board_problem, publish_problem
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db


def test_a_pin_ready_to_send_breaks_no_rule():
    assert publish_problem(make_pin()) is None


def test_rules_are_checked_in_the_agreed_order():
    pin = make_pin(project=make_project(), board=None, with_image=False)
    assert pin.project.pinterest_connection is None
    assert publish_problem(pin) == ("board", MSG_NO_BOARD)
    pin = make_pin(with_image=False)
    pin.project.pinterest_connection = None
    assert publish_problem(pin) == ("project", MSG_NO_CONNECTION)
    assert publish_problem(make_pin(with_image=False)) == ("image", MSG_NO_IMAGE)


def test_an_inactive_account_says_why_it_was_disconnected():
    pin = make_pin()
    pin.project.pinterest_connection.is_active = False
    pin.project.pinterest_connection.last_error = "Token refresh failed: invalid grant"
    field, message = publish_problem(pin)
    assert field == "project" and "inactive (Token refresh failed: invalid grant)" in message


def test_an_archived_board_or_another_accounts_board_is_refused_by_name():
    connection = make_connection()
    project = make_project(tenant=connection.tenant, connection=connection)
    assert "is archived" in board_problem(make_board(connection=connection, name="Old", is_archived=True), project)
    foreign = make_board(connection=make_connection(tenant=connection.tenant), name="Other")
    assert "belongs to" in board_problem(foreign, project) and "'Other'" in board_problem(foreign, project)
    assert board_problem(make_board(connection=connection), project) is None
