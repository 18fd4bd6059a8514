"""Rules about a pin's board and board section: usable (not archived) and of the right account."""

from pinterest.models import Board, BoardSection
from publishing.models import BlogProject, Pin


def board_problem(board: Board, project: BlogProject | None) -> str | None:
    """Why ``board`` cannot take pins of ``project`` (archived, another account), or None."""
    if board.is_archived:
        return (
            f"Board {board.name!r} is archived (it was gone from Pinterest at the last sync); "
            "choose another board."
        )
    if project is None or project.pinterest_connection_id is None:
        return None
    if board.connection_id != project.pinterest_connection_id:
        return (
            f"Board {board.name!r} belongs to {board.connection}, but project "
            f"{project.name!r} publishes with {project.pinterest_connection}; choose one of "
            "that account's boards."
        )
    return None


def board_section_problem(section: BoardSection, board: Board) -> str | None:
    """Why ``section`` cannot take a pin of ``board`` (another board's, archived), or None."""
    if section.board_id != board.pk:
        return (
            f"Board section {section.name!r} belongs to board {section.board.name!r}, not to the "
            f"pin's board {board.name!r}; choose one of that board's sections."
        )
    if section.is_archived:
        return (
            f"Board section {section.name!r} is archived (it was gone from Pinterest at the last sync); "
            "choose another section."
        )
    return None


def section_problem(pin: Pin) -> str | None:
    """Why the pin's board section cannot take it now (``board_section_problem``), or None."""
    section, board = pin.board_section, pin.board
    if section is None or board is None:
        return None
    return board_section_problem(section, board)
