"""Using a connection's token: the client that speaks for the account (refreshing a token
that is about to expire just in time), and giving up on a token Pinterest rejected.

Nothing here logs a token: log lines name the connection by id and username.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest import fields
from pinterest.client import PinterestClient
from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable
from pinterest.models import PinterestConnection
from pinterest.services.clients import token_client
from pinterest.services.health import connection_health_check
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens, disconnected_message, needs_refresh

logger = logging.getLogger(__name__)

#: A token expiring this soon is refreshed before it is used (publishing, board sync).
JUST_IN_TIME_REFRESH = timedelta(minutes=10)


def connection_client(*, connection: PinterestConnection) -> PinterestClient:
    """A client speaking for the connection (its token read, refreshed just in time).
    Raises ConnectionUnusable."""
    return token_client(connection_access_token(connection=connection))


def reload_connection(connection: PinterestConnection) -> None:
    """Reload the row into ``connection`` (tokens stay encrypted until read)."""
    fresh = PinterestConnection.objects.get(pk=connection.pk)
    for model_field in PinterestConnection._meta.concrete_fields:
        connection.__dict__[model_field.attname] = fresh.__dict__[model_field.attname]


def connection_access_token(*, connection: PinterestConnection) -> str:
    """The connection's access token, ready for a call to Pinterest.

    When the token has expired or expires within ``JUST_IN_TIME_REFRESH`` and a refresh
    token is stored, it is refreshed first (``connection_refresh_tokens``, under the row
    lock) and ``connection`` is reloaded with the new values. Raises ConnectionUnusable
    when the connection is inactive (including a refresh that just failed), has no token,
    its token expired with no way to refresh it, or its token cannot be decrypted.
    """
    if not connection.is_active:
        raise ConnectionUnusable(disconnected_message(connection))
    now = timezone.now()
    retrying_later = connection.next_refresh_at is not None and connection.next_refresh_at > now
    still_valid = not connection.is_access_token_expired(now=now)
    if needs_refresh(connection, JUST_IN_TIME_REFRESH, now) and connection.has_refresh_token and not (
        retrying_later and still_valid
    ):
        # No retries here: a person or a sweep is waiting, and the retry job keeps trying.
        outcome = connection_refresh_tokens(connection_id=connection.pk, within=JUST_IN_TIME_REFRESH, retries=0)
        reload_connection(connection)
        if outcome.status == RefreshOutcome.FAILED and connection.is_active:
            # Not a refusal by Pinterest (e.g. a key problem): the row is unchanged.
            raise ConnectionUnusable(f"Pinterest account {connection}: {outcome.error}")
        if not connection.is_active:
            raise ConnectionUnusable(disconnected_message(connection))
    try:
        token = connection.access_token
    except fields.TokenDecryptionError as exc:
        raise ConnectionUnusable(
            f"The stored token of Pinterest account {connection} cannot be decrypted ({exc})."
        ) from None
    if not token:
        raise ConnectionUnusable(f"Pinterest account {connection} has no access token. Reconnect it.")
    if connection.is_access_token_expired(now=timezone.now()):
        if connection.refresh_failing_since is not None:
            raise ConnectionRefreshFailing(
                f"The access token of Pinterest account {connection} has expired and Pinterest could not "
                f"refresh it yet ({connection.last_error}); its pins wait and publish once a refresh succeeds."
            )
        raise ConnectionUnusable(
            f"The access token of Pinterest account {connection} has expired and cannot be "
            "refreshed (no refresh token). Reconnect it."
        )
    return token


#: What a rejected token changes, and so what its audit event compares.
AUDITED_STATE = ("is_active", "last_error")


def connection_mark_inactive(*, connection_id: int, error: str) -> None:
    """Pinterest rejected the connection's token: stop using it until a person reconnects."""
    now = timezone.now()
    with transaction.atomic():
        connection = PinterestConnection.objects.filter(pk=connection_id).first()
        before = audit_trail.snapshot(connection, AUDITED_STATE)
        PinterestConnection.objects.filter(pk=connection_id).update(
            is_active=False, last_error=error, last_error_at=now, next_refresh_at=None, updated_at=now
        )
        if connection is not None:
            connection.refresh_from_db(fields=AUDITED_STATE)
            audit_trail.record("connection.deactivate", connection, before=before,
                               after=audit_trail.snapshot(connection, AUDITED_STATE))
    connection_health_check(connection_id=connection_id)
