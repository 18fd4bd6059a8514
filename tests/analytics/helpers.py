"""An account on the Pinterest stand-in with published pins, the same in our database."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl

from analytics.services.sync import connection_sync_analytics
from pinterest.models import PinterestConnection
from publishing.models import Pin, PinStatus
from tests.factories import make_board, make_pin, make_project
from tests.pinterest.helpers import standin_connection

TODAY = date(2026, 12, 6)


@dataclass
class Account:
    connection: PinterestConnection
    user: object
    pins: list[Pin] = field(default_factory=list)


def published_account(standin, *, pins=(("image", "2026-11-20T19:00:00+00:00"),), project=None) -> Account:
    """A connection with one board and ``pins`` ((kind, created_at) each) published on it."""
    connection, user, (board_id,) = standin_connection(standin, boards=1)
    board = make_board(connection=connection, pinterest_board_id=board_id)
    project = project or make_project(tenant=connection.tenant, connection=connection)
    account = Account(connection, user)
    for kind, created_at in pins:
        source = {"source_type": "video_id"} if kind == "video" else {"source_type": "image_url"}
        remote = standin.add_pin(board_id, created_at=created_at, media_source=source)
        account.pins.append(make_pin(
            project=project, board=board, kind=kind, status=PinStatus.PUBLISHED, pinterest_pin_id=remote["id"],
            published_at=datetime.fromisoformat(created_at).astimezone(UTC),
        ))
    return account


def sync(connection, today=TODAY, sleeps=None, **options):
    """Sync as the stand-in's ``today``; the waits asked for are appended to ``sleeps``."""
    return connection_sync_analytics(
        connection_id=connection.pk, today=today, sleep=(sleeps.append if sleeps is not None else _no_sleep),
        **options,
    )


def _no_sleep(seconds):
    raise AssertionError(f"slept {seconds} s")


def analytics_calls(standin, endpoint="pin_analytics"):
    return [dict(parse_qsl(call.query)) for call in standin.calls if call.endpoint == endpoint]
