"""Connections on the running Pinterest stand-in, and what reached its token endpoint."""

from datetime import timedelta

from django.utils import timezone

from pinterest.models import PinterestConnection
from tests.factories import make_connection


def expiring(standin, *, access_in=timedelta(days=2), **fields):
    """A connection on the stand-in whose access token (by our records) expires in ``access_in``."""
    now = timezone.now()
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    values = {
        "pinterest_user_id": user.id, "username": user.username, "access_token": access, "refresh_token": refresh,
        "access_token_expires_at": now + access_in, "refresh_token_expires_at": now + timedelta(days=60),
    }
    return make_connection(**{**values, **fields})


def token_calls(standin) -> int:
    """How many requests reached the stand-in's token endpoint."""
    return sum(1 for call in standin.calls if call.endpoint == "token")


def reload(connection) -> PinterestConnection:
    return PinterestConnection.objects.get(pk=connection.pk)


def standin_connection(standin, boards=0):
    """A connection to a new stand-in user, with ``boards`` boards on the stand-in (not synced):
    (connection, user, board ids)."""
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    connection = make_connection(
        pinterest_user_id=user.id, username=user.username, access_token=access, refresh_token=refresh
    )
    return connection, user, standin.add_boards(user, boards) if boards else []
