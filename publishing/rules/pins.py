"""Rules about a pin's board, image and account, written once.

The content services (what the API and the admin accept) and the engine (what may be
sent to Pinterest) both ask here, so the words a person reads are the same everywhere.
These functions only read the objects they are given; they never query or write.
"""

from datetime import datetime

from pinterest.models import Board, BoardSection, Health, PinterestConnection
from pinterest.payload import SENT_AS_IS
from publishing.conf import publishing_settings
from publishing.models import BlogProject, MediaState, Pin, PinKind, PinStatus

MSG_NO_BOARD = "Pin must have a Pinterest board assigned"
MSG_NO_CONNECTION = "No Pinterest account connected to this project"
MSG_NO_IMAGE = "Pin must have an image"


def image_size_problem(*, image_format: str, width: int, height: int, what: str = "image") -> str | None:
    """Why an image of ``image_format`` (Pillow's name) and this size is refused, or None.

    Judged from the header alone (at input and again at publish, for files stored before the
    rule): more than ``PIN_IMAGE_MAX_PIXELS``, or, for a format Pinterest takes only converted
    to JPEG or PNG (so decoded when published), more than ``PIN_IMAGE_CONVERTED_MAX_PIXELS``.
    """
    pixels = width * height
    size = f"{width}x{height} px ({pixels / 1_000_000:.1f} megapixels)"
    limit = publishing_settings.PIN_IMAGE_MAX_PIXELS
    if pixels > limit:
        return (
            f"The {what} is {size}; at most {limit / 1_000_000:g} megapixels are accepted "
            "(PIN_IMAGE_MAX_PIXELS). Pinterest shows pins at about 1000x1500 px: scale it down and upload it again."
        )
    limit = publishing_settings.PIN_IMAGE_CONVERTED_MAX_PIXELS
    if image_format not in SENT_AS_IS and pixels > limit:
        return (
            f"The {what} is a {image_format} image of {size}; Pinterest takes uploaded images as JPEG or PNG, "
            f"so it would be converted, and at most {limit / 1_000_000:g} megapixels are converted "
            "(PIN_IMAGE_CONVERTED_MAX_PIXELS). Save it as JPEG or PNG, or scale it down, and upload it again."
        )
    return None


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


def connection_problem(connection: PinterestConnection | None) -> str | None:
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


def publish_problem(pin: Pin) -> tuple[str, str] | None:
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
    problem = board_problem(pin.board, pin.project) if pin.board is not None else MSG_NO_BOARD
    if problem:
        return "board", problem
    problem = section_problem(pin)
    if problem:
        return "board_section", problem
    return None


def waiting_reason(pin: Pin, now: datetime) -> str | None:
    """Why ``pin``, due at ``now``, stays ready instead of publishing, or None.

    Due means ready to schedule with ``scheduled_at`` at or before ``now``. The account holds it
    back when there is none, it is inactive or spam blocked (``connection_problem``, judged at
    the current time), or its access token has expired while refreshing it keeps failing (the
    sweep skips the pin until a refresh succeeds). Reads ``pin.project.pinterest_connection``
    only for a due pin: select it with the pins when listing many.
    """
    if pin.status != PinStatus.READY_TO_SCHEDULE or pin.scheduled_at is None or pin.scheduled_at > now:
        return None
    if pin.kind == PinKind.VIDEO and pin.media_state == MediaState.UPLOADED and pin.media_id:
        return (
            "Pinterest is still processing this pin's video; it is checked again at each turn and the "
            "pin is published once the video is processed (a failed processing ends it in error)"
        )
    connection = pin.project.pinterest_connection
    problem = connection_problem(connection)
    if problem or connection is None:
        return problem or MSG_NO_CONNECTION
    health, _detail = connection.health(now=now)
    if health == Health.REFRESH_FAILING and connection.is_access_token_expired(now=now):
        # The health detail counts the days left before the token expires; here it has.
        return (
            f"The access token of Pinterest account {connection} expired at "
            f"{connection.access_token_expires_at:%Y-%m-%d %H:%M} UTC and refreshing it has failed since "
            f"{connection.refresh_failing_since:%Y-%m-%d %H:%M} UTC"
            + (f" ({connection.last_error})" if connection.last_error else "")
            + "; it is retried automatically and the pins publish once a refresh succeeds"
        )
    return None
