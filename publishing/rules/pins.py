"""Rules about a pin as a whole: may it be sent now (``publish_problem``), why a due pin waits
(``waiting_reason``), can its account publish (``connection_problem``), may it be deleted."""

from datetime import datetime

from pinterest.models import Health, PinterestConnection
from publishing.models import MediaState, Pin, PinKind, PinStatus
from publishing.rules.boards import board_problem, section_problem

MSG_NO_BOARD = "Pin must have a Pinterest board assigned"
MSG_NO_CONNECTION = "No Pinterest account connected to this project"
MSG_NO_IMAGE = "Pin must have an image"

# Any pin may be deleted except one being published right now: its outcome is still open.
PIN_DELETABLE_STATUSES = tuple(s for s in PinStatus.values if s != PinStatus.PUBLISHING)


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
