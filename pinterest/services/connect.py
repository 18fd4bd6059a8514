"""Connecting a tenant's Pinterest account: OAuth's code, or a token made outside OAuth
(Pinterest's sandbox), and disconnecting it.

Pinterest is called outside any transaction; what it answered is stored in one short one.
Giving the new connection to one of the tenant's projects is publishing's business: the
caller names a ``target`` and the ``pinterest.signals`` receivers check and attach it, so
this app never reads or writes publishing's tables.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from pinterest import signals
from pinterest.errors import ConnectError, ConnectionUnusable, PinterestAuthError, PinterestError
from pinterest.models import PinterestConnection
from pinterest.scopes import missing_scopes, parse_scopes
from pinterest.services.boards import BoardSyncResult, boards_sync
from pinterest.services.tokens import grant_values, reload_connection, token_client

logger = logging.getLogger(__name__)

# Pinterest has no endpoint with which an app revokes a user's token: the person removes
# the app from their account themselves.
PINTEREST_APPS_SETTINGS_URL = "https://www.pinterest.com/settings/security"
DISCONNECT_ADVICE = (
    "Pinterest offers apps no way to revoke a token: to remove pinpublisher's access completely, "
    "open Pinterest settings -> Security and logins / Apps "
    f"({PINTEREST_APPS_SETTINGS_URL}) and remove the app there."
)


@dataclass
class ConnectResult:
    connection: PinterestConnection
    created: bool
    missing_scopes: list = field(default_factory=list)
    boards: BoardSyncResult | None = None
    #: Why the boards were not synced ("" when they were).
    boards_error: str = ""

    @property
    def message(self) -> str:
        """What happened, for a person."""
        verb = "Connected" if self.created else "Reconnected"
        if self.missing_scopes:
            return (
                f"{verb} Pinterest account {self.connection}, but it is inactive: "
                f"{self.connection.last_error} Connect again and allow every permission."
            )
        text = f"{verb} Pinterest account {self.connection}."
        if self.boards is not None:
            b = self.boards
            text += (
                f" Boards synced: {b.total} on Pinterest ({b.created} new, {b.updated} updated, "
                f"{b.archived} archived)."
            )
        elif self.boards_error:
            text += f" Its boards could not be synced yet ({self.boards_error}); try 'Sync boards' later."
        return text


def _check_target(tenant, target) -> None:
    """Ask the receivers whether ``target`` may get a connection of ``tenant``; before
    anything is called or stored. A receiver raises ConnectError to refuse."""
    if target is not None:
        signals.connection_target_requested.send(sender=PinterestConnection, tenant=tenant, target=target)


def _save_connection(*, tenant, account: dict, values: dict, target=None) -> tuple[PinterestConnection, bool]:
    """Create or update the tenant's connection of this Pinterest user, in one short transaction.

    Raises ConnectError when Pinterest's answer does not say which account it is (``id`` is
    optional in its Account schema): storing it under an empty id would mix accounts up.
    """
    account_id = str(account.get("id") or "").strip()
    if not account_id:
        raise ConnectError("Pinterest did not say which account this is (no id in user_account); nothing was stored.")
    with transaction.atomic():
        connection, created = PinterestConnection.objects.select_for_update().get_or_create(
            tenant=tenant, pinterest_user_id=account_id, defaults=values
        )
        if not created:
            for name, value in values.items():
                setattr(connection, name, value)
            connection.save()
        # In the same transaction: a receiver that cannot attach it undoes the whole connection.
        signals.connection_saved.send(
            sender=PinterestConnection, tenant=tenant, connection=connection, created=created, target=target
        )
    return connection, created


def _sync_after_connect(result: ConnectResult) -> ConnectResult:
    if not result.connection.is_active:
        return result
    try:
        result.boards = boards_sync(connection_id=result.connection.pk)
    except (PinterestError, ConnectionUnusable) as exc:
        result.boards_error = getattr(exc, "user_message", None) or str(exc)
        logger.warning("Boards of connection %s not synced after connecting: %s", result.connection.pk, exc)
    reload_connection(result.connection)
    return result


def connection_connect_from_code(*, tenant, code: str, target=None) -> ConnectResult:
    """Finish the OAuth dance: trade ``code`` for tokens and store the tenant's connection.

    Reconnecting an account the tenant already has updates that row (new tokens, active
    again); there is never a second row per (tenant, Pinterest user). Granted scopes
    missing one of REQUIRED_SCOPES leave the connection inactive with ``last_error``
    naming them. An active connection's boards are synced (a sync failure is reported
    in the result, not raised). ``target`` (for publishing: one of the tenant's projects)
    gets this connection (``pinterest.signals``).

    Raises ConnectError (bad project, or the account cannot be identified), PinterestError
    (Pinterest refused the code or failed), PinterestConfigurationError.
    """
    _check_target(tenant, target)
    grant = token_client().exchange_code(code)
    granted = parse_scopes(grant.scope)
    if "user_accounts:read" not in granted and grant.scope:
        raise ConnectError(
            "Pinterest did not grant the user_accounts:read permission, so the account cannot be "
            "identified and nothing was stored. Connect again and allow every permission."
        )
    account = token_client(grant.access_token).get_user_account()
    now = timezone.now()
    missing = missing_scopes(granted) if grant.scope else []
    values = grant_values(grant, now)
    values.update(
        username=str(account.get("username") or ""),
        scopes=",".join(granted),
        is_active=not missing,
        last_error=(
            f"Pinterest did not grant the permission{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} that pinpublisher needs."
            if missing
            else ""
        ),
    )
    connection, created = _save_connection(tenant=tenant, account=account, values=values, target=target)
    logger.info(
        "Pinterest account %s connected to tenant %s (connection %s, %s)",
        connection, tenant.pk, connection.pk, "new" if created else "reconnected",
    )
    return _sync_after_connect(ConnectResult(connection=connection, created=created, missing_scopes=missing))


def connection_check_token(*, access_token: str) -> dict:
    """Pinterest's ``user_account`` for a token; raises ConnectError when Pinterest rejects it,
    PinterestError when Pinterest cannot be asked."""
    try:
        return token_client(access_token).get_user_account()
    except PinterestAuthError as exc:
        raise ConnectError(f"Pinterest rejected the token: {exc.user_message}") from None


def connection_add_from_token(
    *, tenant, access_token: str, refresh_token: str = "", target=None
) -> ConnectResult:
    """Store a connection from a token made outside OAuth (Pinterest's sandbox tokens come
    from the app's dashboard), after checking it with ``user_account``.

    Expiry and scopes of such a token are unknown, so they are stored empty: the token
    is not refreshed automatically, and when Pinterest stops accepting it the
    connection becomes inactive and is reconnected the same way. Raises ConnectError
    (token rejected, bad project) and PinterestError (Pinterest unreachable or failing).
    """
    if not access_token:
        raise ConnectError("The access token is empty.")
    _check_target(tenant, target)
    account = connection_check_token(access_token=access_token)
    values = {
        "username": str(account.get("username") or ""),
        "access_token": access_token,
        "refresh_token": refresh_token or "",
        "access_token_expires_at": None,
        "refresh_token_expires_at": None,
        "scopes": "",
        "is_active": True,
        "last_error": "",
    }
    connection, created = _save_connection(tenant=tenant, account=account, values=values, target=target)
    logger.info(
        "Pinterest account %s added to tenant %s from a token (connection %s)", connection, tenant.pk, connection.pk
    )
    return _sync_after_connect(ConnectResult(connection=connection, created=created))


def connection_disconnect(*, connection_id: int) -> str:
    """Forget the connection's tokens and mark it inactive; boards and pins stay for history.

    Returns the message for the person, which says where to remove the app on Pinterest
    (Pinterest has no token revocation endpoint for apps).
    """
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().get(pk=connection_id)
        connection.access_token = ""
        connection.refresh_token = ""
        connection.access_token_expires_at = None
        connection.refresh_token_expires_at = None
        connection.is_active = False
        connection.last_error = "Disconnected in pinpublisher"
        connection.save()
    logger.info("Connection %s (%s) disconnected; its tokens were deleted", connection.pk, connection)
    return f"Disconnected Pinterest account {connection}: its tokens are deleted here. {DISCONNECT_ADVICE}"


