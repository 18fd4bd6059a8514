"""Connecting a tenant's Pinterest account: OAuth's code, or a token made outside OAuth
(Pinterest's sandbox), and disconnecting it.

Pinterest is called outside any transaction; what it answered is stored in one short one.
A hand-added token with a refresh token is refreshed once right after it is stored, so its
expiry becomes known and the daily job keeps it alive. After every connect and disconnect the
connection's health is checked, so owners hear that it recovered or that it needs them.
Giving the new connection to one of the tenant's projects is publishing's business: the
caller names a ``target`` and the ``pinterest.signals`` receivers check and attach it, so
this app never reads or writes publishing's tables.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest import signals
from pinterest.conf import pinterest_settings
from pinterest.errors import ConnectError, ConnectionUnusable, PinterestAuthError, PinterestError
from pinterest.models import Health, PinterestConnection, TenantRef
from pinterest.scopes import REQUIRED_SCOPES, missing_scopes, parse_scopes
from pinterest.services.boards import BoardSyncResult, boards_sync
from pinterest.services.clients import token_client
from pinterest.services.health import connection_health_check
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens, grant_values
from pinterest.services.tokens import reload_connection

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
    #: The refresh right after a hand-added token was stored (None: no refresh token given).
    refresh: RefreshOutcome | None = None

    @property
    def refresh_error(self) -> str:
        """Why that refresh did not succeed ("" when it did or none was tried)."""
        if self.refresh is None or self.refresh.status == RefreshOutcome.REFRESHED:
            return ""
        return self.refresh.error or self.refresh.status

    @property
    def message(self) -> str:
        """What happened, for a person."""
        verb = "Connected" if self.created else "Reconnected"
        if self.missing_scopes:
            return (
                f"{verb} Pinterest account {self.connection}, but it is inactive: "
                f"{self.connection.last_error} Connect again and allow every permission."
            )
        if self.refresh is not None and self.refresh.status == RefreshOutcome.FAILED:
            if not self.connection.is_active:
                return (
                    f"{verb} Pinterest account {self.connection}, but it is inactive: Pinterest refused its "
                    f"refresh token ({self.refresh_error.rstrip('.')}). A refresh token works only once (every "
                    "refresh replaces it): add the token again with an unused refresh token, or connect with OAuth."
                )
            return (
                f"{verb} Pinterest account {self.connection}, but its refresh token could not be used "
                f"({self.refresh_error.rstrip('.')}); its expiry stays unknown."
            )
        text = f"{verb} Pinterest account {self.connection}."
        if self.refresh is not None and self.refresh.status == RefreshOutcome.RETRYING:
            text += (
                f" Its first token refresh did not go through ({self.refresh_error.rstrip('.')}); "
                "it will be tried again automatically, and its expiry is unknown until then."
            )
        elif self.refresh is not None and self.refresh.access_token_expires_at is not None:
            text += (
                f" Token refreshed: it expires {self.refresh.access_token_expires_at:%Y-%m-%d} and is "
                "renewed automatically before then."
            )
        elif self.refresh is None:
            # What still needs attention (expiry unknown, a spam cool-down), in the health's own
            # words, so the admin, the API and this message say the same.
            health, detail = self.connection.health()
            if health != Health.OK and detail:
                text += " " + detail
        if self.boards is not None:
            b = self.boards
            text += (
                f" Boards synced: {b.total} on Pinterest ({b.created} new, {b.updated} updated, "
                f"{b.archived} archived)."
            )
        elif self.boards_error:
            text += f" Its boards could not be synced yet ({self.boards_error}); try 'Sync boards' later."
        return text


#: New tokens make the old ones' troubles moot: a refresh that kept failing for the replaced
#: token is not retried with the new one on that token's schedule.
FRESH_TOKEN_STATE = {"refresh_failing_since": None, "refresh_failures": 0, "next_refresh_at": None}


def _check_target(tenant: TenantRef, target: object | None) -> None:
    """Ask the receivers whether ``target`` may get a connection of ``tenant``; before
    anything is called or stored. A receiver raises ConnectError to refuse."""
    if target is not None:
        signals.connection_target_requested.send(sender=PinterestConnection, tenant=tenant, target=target)


def _save_connection(
    *, tenant: TenantRef, account: dict, values: dict, target: object | None = None
) -> tuple[PinterestConnection, bool]:
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
        before = None if created else audit_trail.snapshot(connection)
        if not created:
            for name, value in values.items():
                setattr(connection, name, value)
            connection.save()
        audit_trail.record("connection.create" if created else "connection.reconnect", connection, before=before)
        # In the same transaction: a receiver that cannot attach it undoes the whole connection.
        signals.connection_saved.send(
            sender=PinterestConnection, tenant=tenant, connection=connection, created=created, target=target
        )
    return connection, created


def _sync_after_connect(result: ConnectResult) -> ConnectResult:
    # An account that needed a person and is connected again: its owners hear it recovered
    # (and a later failure is news again).
    connection_health_check(connection_id=result.connection.pk)
    if not result.connection.is_active:
        return result
    try:
        result.boards = boards_sync(connection_id=result.connection.pk)
    except (PinterestError, ConnectionUnusable) as exc:
        result.boards_error = getattr(exc, "user_message", None) or str(exc)
        logger.warning("Boards of connection %s not synced after connecting: %s", result.connection.pk, exc)
    reload_connection(result.connection)
    return result


def connection_connect_from_code(*, tenant: TenantRef, code: str, target: object | None = None) -> ConnectResult:
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
    values = {**grant_values(grant, now), **FRESH_TOKEN_STATE}
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
    *, tenant: TenantRef, access_token: str, refresh_token: str = "", target: object | None = None
) -> ConnectResult:
    """Store a connection from a token made outside OAuth (Pinterest's sandbox tokens come
    from the app's dashboard), after checking it with ``user_account``.

    The expiry and scopes of such a token are unknown. With ``refresh_token`` it is
    refreshed once right after it is stored (``connection_refresh_tokens``, no retries: a
    person is waiting), which stores both expiries and Pinterest's rotated refresh token, so
    the daily job keeps it alive; the outcome is in ``ConnectResult.refresh``. A refusal
    (FAILED: the refresh token is invalid or already spent) leaves the connection inactive;
    a passing failure (RETRYING) leaves it active and the retry job tries again. Without a
    refresh token the expiry stays unknown: it works until Pinterest stops accepting it,
    then it becomes inactive and is reconnected the same way. Raises ConnectError (token
    rejected, bad project, a refresh token while the Pinterest app is not configured) and
    PinterestError (Pinterest unreachable or failing while the token is checked).
    """
    if not access_token:
        raise ConnectError("The access token is empty.")
    unset = [name for name in ("PINTEREST_APP_ID", "PINTEREST_APP_SECRET") if not getattr(pinterest_settings, name)]
    if refresh_token and unset:
        # Refreshing is the app's call (HTTP Basic with its id and secret): refuse before
        # anything is stored rather than store a refresh token nobody can use.
        raise ConnectError(
            f"{' and '.join(unset)} {'is' if len(unset) == 1 else 'are'} not set, so pinpublisher cannot use a "
            "refresh token; nothing was stored. Configure the Pinterest app, or add the access token alone "
            "(it then works until it expires).",
            field="refresh_token",
        )
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
        **FRESH_TOKEN_STATE,
    }
    connection, created = _save_connection(tenant=tenant, account=account, values=values, target=target)
    logger.info(
        "Pinterest account %s added to tenant %s from a token (connection %s)", connection, tenant.pk, connection.pk
    )
    result = ConnectResult(connection=connection, created=created)
    if refresh_token:
        result.refresh = connection_refresh_tokens(connection_id=connection.pk, retries=0)
        reload_connection(connection)
    return _sync_after_connect(result)


def connection_disconnect(*, connection_id: int) -> str:
    """Forget the connection's tokens and mark it inactive; boards and pins stay for history.

    The connection then needs reconnecting: that change of health is told like any other
    (``connection_health_check``, in the same transaction), so the tenant's webhooks get
    ``connection.needs_reconnect`` and its owners an email, and its pins wait with a reason.

    Returns the message for the person, which says where to remove the app on Pinterest
    (Pinterest has no token revocation endpoint for apps).
    """
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().get(pk=connection_id)
        before = audit_trail.snapshot(connection)
        connection.access_token = ""
        connection.refresh_token = ""
        connection.access_token_expires_at = None
        connection.refresh_token_expires_at = None
        connection.is_active = False
        connection.last_error = "Disconnected in pinpublisher"
        connection.save()
        audit_trail.record("connection.disconnect", connection, before=before)
        connection_health_check(connection_id=connection.pk)
    logger.info("Connection %s (%s) disconnected; its tokens were deleted", connection.pk, connection)
    return f"Disconnected Pinterest account {connection}: its tokens are deleted here. {DISCONNECT_ADVICE}"


def connection_authorize_url(*, state: str) -> str:
    """Pinterest's consent page for the app, asking for REQUIRED_SCOPES: where connecting starts.

    Raises PinterestConfigurationError when the app id or redirect URI is not set.
    """
    return token_client().authorize_url(state, REQUIRED_SCOPES)
