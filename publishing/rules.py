"""Rules about a pin's board, image and account, written once.

The content services (what the API and the admin accept) and the engine (what may be
sent to Pinterest) both ask here, so the words a person reads are the same everywhere.
These functions only read the objects they are given; they never query or write.
"""

MSG_NO_BOARD = "Pin must have a Pinterest board assigned"
MSG_NO_CONNECTION = "No Pinterest account connected to this project"
MSG_NO_IMAGE = "Pin must have an image"


def board_problem(board, project) -> str | None:
    """Why ``board`` cannot take pins of ``project`` (archived, another account), or None."""
    if board.is_archived:
        return (
            f"Board {board.name!r} is archived (it was gone from Pinterest at the last sync); "
            "choose another board."
        )
    connection_id = project.pinterest_connection_id if project is not None else None
    if connection_id is not None and board.connection_id != connection_id:
        return (
            f"Board {board.name!r} belongs to {board.connection}, but project "
            f"{project.name!r} publishes with {project.pinterest_connection}; choose one of "
            "that account's boards."
        )
    return None


def connection_problem(connection) -> str | None:
    """Why the project's Pinterest account cannot publish now, or None."""
    if connection is None:
        return MSG_NO_CONNECTION
    if not connection.is_active:
        return (
            f"The Pinterest account {connection} connected to this project is inactive"
            + (f" ({connection.last_error})" if connection.last_error else "")
            + "; reconnect it before publishing"
        )
    if connection.is_spam_blocked():
        return (
            f"Pinterest blocked the account {connection} for suspected spam; publishing resumes after "
            f"{connection.spam_blocked_until:%Y-%m-%d %H:%M} UTC"
        )
    return None


def publish_problem(pin) -> tuple[str, str] | None:
    """The first rule ``pin`` breaks for publishing, as (field, message), in the agreed order:
    board, account, image, account active, board usable. None when it may be sent."""
    if pin.board_id is None:
        return "board", MSG_NO_BOARD
    connection = pin.project.pinterest_connection
    if connection is None:
        return "project", MSG_NO_CONNECTION
    if not pin.has_image:
        return "image", MSG_NO_IMAGE
    problem = connection_problem(connection)
    if problem:
        return "project", problem
    problem = board_problem(pin.board, pin.project)
    if problem:
        return "board", problem
    return None
