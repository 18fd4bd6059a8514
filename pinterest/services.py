"""Services of the pinterest app: connections, their tokens and boards.

Connecting (``connection_connect_from_code``, ``connection_add_from_token``) and board
syncing call Pinterest outside any transaction and then write in one short one.

Token refresh is the exception, deliberately: Pinterest rotates the refresh token on
every refresh (continuous refresh), so a refresh token can be spent once. The refresh
runs under the connection's row lock (``SELECT ... FOR UPDATE``), with the need re-checked
inside it, so two refreshers (the daily job, a publish just in time, a person clicking
"refresh now", on any host) never both spend it: the second waits, sees the new expiry
and returns. The transaction holds that one row and nothing else.

Nothing here logs a token: log lines name the connection by id and username.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pinterest import fields
from pinterest.client import PinterestClient, TokenGrant
from pinterest.errors import (
    PinterestAuthError,
    PinterestConnectionError,
    PinterestError,
    PinterestRateLimitError,
    PinterestUnavailable,
)
from pinterest.models import REQUIRED_SCOPES, Board, PinterestConnection

logger = logging.getLogger(__name__)

ENCRYPTED_FIELDS = ("access_token", "refresh_token")

#: A token expiring this soon is refreshed before it is used (publishing, board sync).
JUST_IN_TIME_REFRESH = timedelta(minutes=10)

#: Transient refresh failures (5xx, timeout, connection error, 429) are retried this many times.
TOKEN_REFRESH_RETRIES = 3

# Pinterest has no endpoint with which an app revokes a user's token: the person removes
# the app from their account themselves.
PINTEREST_APPS_SETTINGS_URL = "https://www.pinterest.com/settings/security"
DISCONNECT_ADVICE = (
    "Pinterest offers apps no way to revoke a token: to remove pinpublisher's access completely, "
    "open Pinterest settings -> Security and logins / Apps "
    f"({PINTEREST_APPS_SETTINGS_URL}) and remove the app there."
)


# --- key rotation ------------------------------------------------------------------------


@dataclass
class KeyRotationResult:
    rows_total: int = 0
    rows_changed: int = 0


def tokens_rotate_keys(*, dry_run: bool = False, batch_size: int = 500, progress=None) -> KeyRotationResult:
    """Re-encrypt every stored token under the first key of PINPUBLISHER_TOKEN_KEYS.

    Walks connections by primary key in batches, each batch in its own short
    transaction with the rows locked, so a concurrent token refresh is never
    overwritten with the old value. A value no key can decrypt raises
    ``TokenDecryptionError`` naming the row (``cryptography.fernet.InvalidToken``
    is translated). Returns how many rows were (or, with ``dry_run``, would be) changed.
    """
    result = KeyRotationResult()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                PinterestConnection.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", *ENCRYPTED_FIELDS)[:batch_size]
            )
            if not batch:
                break
            for connection in batch:
                changes = {}
                for name in ENCRYPTED_FIELDS:
                    raw = connection.__dict__.get(name)
                    if not raw:
                        continue
                    try:
                        rotated = fields.rotate(raw)
                    except fields.InvalidToken:
                        raise fields.TokenDecryptionError(
                            f"{PinterestConnection._meta.label} pk={connection.pk}: field '{name}' "
                            "cannot be decrypted with any key in PINPUBLISHER_TOKEN_KEYS."
                        ) from None
                    if rotated is not None:
                        changes[name] = rotated
                result.rows_total += 1
                if changes:
                    result.rows_changed += 1
                    if not dry_run:
                        PinterestConnection.objects.filter(pk=connection.pk).update(**changes)
            last_pk = batch[-1].pk
        if progress:
            progress(result)
    return result


# --- using a connection --------------------------------------------------------------------


class ConnectionUnusable(Exception):
    """The connection cannot be used to call Pinterest; the message says why, for a person."""


def _disconnected_message(connection: PinterestConnection) -> str:
    return (
        f"Pinterest account {connection} is disconnected"
        + (f": {connection.last_error.rstrip('.')}" if connection.last_error else "")
        + ". Reconnect it, then retry."
    )


def _reload(connection: PinterestConnection) -> None:
    """Reload the row into ``connection`` (tokens stay encrypted until read)."""
    fresh = PinterestConnection.objects.get(pk=connection.pk)
    for model_field in PinterestConnection._meta.concrete_fields:
        connection.__dict__[model_field.attname] = fresh.__dict__[model_field.attname]


def _needs_refresh(connection: PinterestConnection, within: timedelta, now: datetime) -> bool:
    """Whether the access token or the refresh token expires within ``within`` (unknown: no)."""
    limit = now + within
    return any(
        expiry is not None and expiry <= limit
        for expiry in (connection.access_token_expires_at, connection.refresh_token_expires_at)
    )


def connection_access_token(*, connection: PinterestConnection) -> str:
    """The connection's access token, ready for a call to Pinterest.

    When the token has expired or expires within ``JUST_IN_TIME_REFRESH`` and a refresh
    token is stored, it is refreshed first (``connection_refresh_tokens``, under the row
    lock) and ``connection`` is reloaded with the new values. Raises ConnectionUnusable
    when the connection is inactive (including a refresh that just failed), has no token,
    its token expired with no way to refresh it, or its token cannot be decrypted.
    """
    if not connection.is_active:
        raise ConnectionUnusable(_disconnected_message(connection))
    now = timezone.now()
    if _needs_refresh(connection, JUST_IN_TIME_REFRESH, now) and connection.has_refresh_token:
        outcome = connection_refresh_tokens(connection_id=connection.pk, within=JUST_IN_TIME_REFRESH)
        _reload(connection)
        if outcome.status == RefreshOutcome.FAILED and connection.is_active:
            # Not a refusal by Pinterest (e.g. a key problem): the row is unchanged.
            raise ConnectionUnusable(f"Pinterest account {connection}: {outcome.error}")
        if not connection.is_active:
            raise ConnectionUnusable(_disconnected_message(connection))
    try:
        token = connection.access_token
    except fields.TokenDecryptionError as exc:
        raise ConnectionUnusable(
            f"The stored token of Pinterest account {connection} cannot be decrypted ({exc})."
        ) from None
    if not token:
        raise ConnectionUnusable(f"Pinterest account {connection} has no access token. Reconnect it.")
    if connection.is_access_token_expired(now=timezone.now()):
        raise ConnectionUnusable(
            f"The access token of Pinterest account {connection} has expired and cannot be "
            "refreshed (no refresh token). Reconnect it."
        )
    return token


def connection_mark_inactive(*, connection_id: int, error: str) -> None:
    """Pinterest rejected the connection's token: stop using it until a person reconnects."""
    PinterestConnection.objects.filter(pk=connection_id).update(
        is_active=False, last_error=error, updated_at=timezone.now()
    )


def connection_reserve_publish_slot(*, connection_id: int, interval: float) -> datetime:
    """Reserve the next create-pin slot of a connection; returns when it starts.

    At most one create per ``interval`` seconds per connection, counted across every
    process and host: the slot is taken under a row lock in a short transaction (the
    caller waits for it afterwards, outside any transaction). Other connections'
    rows are untouched, so different accounts never wait for each other.
    """
    now = timezone.now()
    if interval <= 0:
        return now
    with transaction.atomic():
        next_at = (
            PinterestConnection.objects.select_for_update()
            .filter(pk=connection_id)
            .values_list("next_publish_at", flat=True)
            .get()
        )
        now = timezone.now()
        slot = max(now, next_at) if next_at else now
        PinterestConnection.objects.filter(pk=connection_id).update(
            next_publish_at=slot + timedelta(seconds=interval)
        )
    return slot


def connection_defer_publishing(*, connection_id: int, until: datetime) -> None:
    """After a 429, no publisher of this connection starts before ``until``."""
    with transaction.atomic():
        PinterestConnection.objects.filter(pk=connection_id).filter(
            Q(next_publish_at__isnull=True) | Q(next_publish_at__lt=until)
        ).update(next_publish_at=until)


# --- connecting ---------------------------------------------------------------------------


class ConnectError(Exception):
    """A connection could not be made; the message says why, for a person. Nothing was stored."""


@dataclass
class BoardSyncResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    total: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "archived": self.archived, "total": self.total}


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


def _scopes(text: str) -> list[str]:
    return [s for s in text.replace(" ", ",").split(",") if s]


def _project_of_tenant(tenant, project_id):
    """The tenant's project ``project_id`` (reached through the tenant, so pinterest never
    imports publishing); raises ConnectError when it is not the tenant's."""
    if project_id is None:
        return None
    project = tenant.projects.filter(pk=project_id).first()
    if project is None:
        raise ConnectError(f"Project {project_id} is not a project of {tenant}.")
    return project


def _save_connection(*, tenant, account: dict, values: dict, project=None) -> tuple[PinterestConnection, bool]:
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
        if project is not None:
            type(project).objects.filter(pk=project.pk).update(pinterest_connection=connection)
    return connection, created


def _sync_after_connect(result: ConnectResult) -> ConnectResult:
    if not result.connection.is_active:
        return result
    try:
        result.boards = boards_sync(connection_id=result.connection.pk)
    except (PinterestError, ConnectionUnusable) as exc:
        result.boards_error = getattr(exc, "user_message", None) or str(exc)
        logger.warning("Boards of connection %s not synced after connecting: %s", result.connection.pk, exc)
    _reload(result.connection)
    return result


def connection_connect_from_code(*, tenant, code: str, project_id: int | None = None) -> ConnectResult:
    """Finish the OAuth dance: trade ``code`` for tokens and store the tenant's connection.

    Reconnecting an account the tenant already has updates that row (new tokens, active
    again); there is never a second row per (tenant, Pinterest user). Granted scopes
    missing one of REQUIRED_SCOPES leave the connection inactive with ``last_error``
    naming them. An active connection's boards are synced (a sync failure is reported
    in the result, not raised). ``project_id`` (one of the tenant's projects) gets
    this connection.

    Raises ConnectError (bad project, or the account cannot be identified), PinterestError
    (Pinterest refused the code or failed), PinterestConfigurationError.
    """
    project = _project_of_tenant(tenant, project_id)
    grant = PinterestClient().exchange_code(code)
    granted = _scopes(grant.scope)
    if "user_accounts:read" not in granted and grant.scope:
        raise ConnectError(
            "Pinterest did not grant the user_accounts:read permission, so the account cannot be "
            "identified and nothing was stored. Connect again and allow every permission."
        )
    account = PinterestClient(grant.access_token).get_user_account()
    now = timezone.now()
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted] if grant.scope else []
    values = _grant_values(grant, now)
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
    connection, created = _save_connection(tenant=tenant, account=account, values=values, project=project)
    logger.info(
        "Pinterest account %s connected to tenant %s (connection %s, %s)",
        connection, tenant.pk, connection.pk, "new" if created else "reconnected",
    )
    return _sync_after_connect(ConnectResult(connection=connection, created=created, missing_scopes=missing))


def connection_check_token(*, access_token: str) -> dict:
    """Pinterest's ``user_account`` for a token; raises ConnectError when Pinterest rejects it,
    PinterestError when Pinterest cannot be asked."""
    try:
        return PinterestClient(access_token).get_user_account()
    except PinterestAuthError as exc:
        raise ConnectError(f"Pinterest rejected the token: {exc.user_message}") from None


def connection_add_from_token(
    *, tenant, access_token: str, refresh_token: str = "", project_id: int | None = None
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
    project = _project_of_tenant(tenant, project_id)
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
    connection, created = _save_connection(tenant=tenant, account=account, values=values, project=project)
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


# --- boards --------------------------------------------------------------------------------


def boards_sync(*, connection_id: int) -> BoardSyncResult:
    """Make the connection's boards match Pinterest's ``GET /v5/boards`` (every page).

    New boards are created, changed ones (name, description, privacy) updated, boards
    gone from Pinterest archived (their pins keep their history; publishing refuses an
    archived board) and an archived board that reappears is un-archived (counted as
    updated). ``total`` is the number of boards on Pinterest.

    Raises PinterestConnection.DoesNotExist, ConnectionUnusable, PinterestError. A 401
    from Pinterest marks the connection inactive, as publishing does.
    """
    connection = PinterestConnection.objects.get(pk=connection_id)
    client = PinterestClient(connection_access_token(connection=connection))
    try:
        remote = client.list_boards()
    except PinterestAuthError as exc:
        connection_mark_inactive(
            connection_id=connection.pk,
            error=f"Pinterest rejected the access token of {connection}: {exc.user_message}",
        )
        raise
    now = timezone.now()
    result = BoardSyncResult(total=len(remote))
    seen = set()
    with transaction.atomic():
        # One sync of a connection at a time: two would both create the same new board.
        PinterestConnection.objects.select_for_update().filter(pk=connection.pk).values_list("pk").get()
        existing = {board.pinterest_board_id: board for board in Board.objects.filter(connection=connection)}
        new_boards = []
        for item in remote:
            board_id = str(item.get("id") or "")
            if not board_id or board_id in seen:
                continue
            seen.add(board_id)
            values = {
                "name": str(item.get("name") or "")[:255],
                "description": str(item.get("description") or ""),
                "privacy": str(item.get("privacy") or "")[:20],
            }
            board = existing.get(board_id)
            if board is None:
                new_boards.append(Board(connection=connection, pinterest_board_id=board_id, synced_at=now, **values))
                continue
            changed = board.is_archived or any(getattr(board, name) != value for name, value in values.items())
            Board.objects.filter(pk=board.pk).update(is_archived=False, synced_at=now, **values)
            result.updated += int(changed)
        result.created = len(Board.objects.bulk_create(new_boards, batch_size=500))
        gone = [board.pk for key, board in existing.items() if key not in seen and not board.is_archived]
        result.archived = Board.objects.filter(pk__in=gone).update(is_archived=True, synced_at=now)
    logger.info(
        "Boards of connection %s synced: %s created, %s updated, %s archived, %s on Pinterest",
        connection.pk, result.created, result.updated, result.archived, result.total,
    )
    return result


# --- keeping tokens alive -------------------------------------------------------------------


@dataclass
class RefreshOutcome:
    REFRESHED = "refreshed"
    FAILED = "failed"
    #: Nothing to do: another refresher got there first, or the connection is inactive.
    SKIPPED = "skipped"
    #: --dry-run: this one would be refreshed.
    WOULD_REFRESH = "would_refresh"

    connection_id: int
    connection: str
    status: str
    error: str = ""
    access_token_expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None

    def as_dict(self) -> dict:
        """JSON-able, and never a token."""
        return {
            "connection_id": self.connection_id,
            "connection": self.connection,
            "status": self.status,
            "error": self.error,
            "access_token_expires_at": _iso(self.access_token_expires_at),
            "refresh_token_expires_at": _iso(self.refresh_token_expires_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _grant_values(grant: TokenGrant, now: datetime) -> dict:
    return {
        "access_token": grant.access_token,
        # Continuous refresh rotates the refresh token: the new one replaces the spent one.
        "refresh_token": grant.refresh_token,
        "access_token_expires_at": grant.access_token_expires_at(now),
        "refresh_token_expires_at": grant.refresh_token_expiry(now),
    }


def _refresh_grant(refresh_token: str, *, sleep) -> TokenGrant:
    """``refresh_access_token`` with transient failures (5xx, timeout, connection error, 429)
    retried TOKEN_REFRESH_RETRIES times with exponential backoff; raises the last error."""
    client = PinterestClient()
    backoff = float(getattr(settings, "TOKEN_REFRESH_BACKOFF_SECONDS", 2))
    retries = 0
    while True:
        try:
            return client.refresh_access_token(refresh_token)
        except (PinterestUnavailable, PinterestConnectionError, PinterestRateLimitError) as exc:
            if retries >= TOKEN_REFRESH_RETRIES:
                raise
            wait = backoff * 2**retries
            if isinstance(exc, PinterestRateLimitError) and exc.retry_after is not None:
                wait = max(wait, min(exc.retry_after, 60.0))
            retries += 1
            logger.warning(
                "Token refresh failed transiently (%s); retry %s of %s in %.2f s",
                exc, retries, TOKEN_REFRESH_RETRIES, wait,
            )
            sleep(wait)


def connection_refresh_tokens(
    *, connection_id: int, within: timedelta | None = None, sleep=time.sleep
) -> RefreshOutcome:
    """Refresh the connection's access token now; store the new access AND refresh tokens.

    With ``within``, only when a token still expires within it once the row is locked
    (another refresher may just have done it: then SKIPPED). The call to Pinterest
    happens while this one connection's row is locked, deliberately: that is how a
    refresh token is spent exactly once.

    Success stores both tokens, their expiries and ``last_refreshed_at`` and clears
    ``last_error``. A refusal by Pinterest (400/401, any definite error), or transient
    failures past TOKEN_REFRESH_RETRIES, marks the connection inactive with
    ``last_error = "Token refresh failed: <Pinterest's message>"`` and returns FAILED.
    An inactive connection is SKIPPED. A connection without a refresh token, or whose
    refresh token cannot be decrypted, is FAILED and left unchanged.
    Raises PinterestConnection.DoesNotExist and PinterestConfigurationError.
    """
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().get(pk=connection_id)
        outcome = RefreshOutcome(connection_id=connection.pk, connection=str(connection), status="")
        now = timezone.now()
        if not connection.is_active:
            outcome.status, outcome.error = RefreshOutcome.SKIPPED, _disconnected_message(connection)
            return outcome
        if within is not None and not _needs_refresh(connection, within, now):
            outcome.status = RefreshOutcome.SKIPPED
            outcome.access_token_expires_at = connection.access_token_expires_at
            outcome.refresh_token_expires_at = connection.refresh_token_expires_at
            return outcome
        try:
            refresh_token = connection.refresh_token
        except fields.TokenDecryptionError as exc:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = f"The stored refresh token cannot be decrypted ({exc})."
            logger.error("Connection %s: %s", connection.pk, outcome.error)
            return outcome
        if not refresh_token:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = "No refresh token is stored: reconnect the account before its access token expires."
            return outcome
        try:
            grant = _refresh_grant(refresh_token, sleep=sleep)
        except PinterestError as exc:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = f"Token refresh failed: {exc.user_message}"
            connection.is_active = False
            connection.last_error = outcome.error
            connection.save(update_fields=["is_active", "last_error", "updated_at"])
            logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
            return outcome
        now = timezone.now()
        for name, value in _grant_values(grant, now).items():
            if name.startswith("refresh_token") and not grant.refresh_token:
                continue  # Pinterest sent no new refresh token: the stored one stays valid
            setattr(connection, name, value)
        connection.last_refreshed_at = now
        connection.last_error = ""
        connection.save(
            update_fields=[
                "access_token", "refresh_token", "access_token_expires_at", "refresh_token_expires_at",
                "last_refreshed_at", "last_error", "updated_at",
            ]
        )
    outcome.status = RefreshOutcome.REFRESHED
    outcome.access_token_expires_at = connection.access_token_expires_at
    outcome.refresh_token_expires_at = connection.refresh_token_expires_at
    logger.info("Tokens of connection %s (%s) refreshed", connection.pk, connection)
    return outcome


def connections_expiring(*, within: timedelta, now: datetime | None = None):
    """Active connections whose access token or refresh token expires within ``within``."""
    limit = (now or timezone.now()) + within
    return PinterestConnection.objects.filter(is_active=True).filter(
        Q(access_token_expires_at__lte=limit) | Q(refresh_token_expires_at__lte=limit)
    ).order_by("pk")


def connections_refresh_expiring(*, within: timedelta, dry_run: bool = False, sleep=time.sleep) -> dict:
    """Refresh every active connection expiring within ``within``, each on its own.

    One connection's failure never stops the others (each runs in its own transaction;
    an unexpected error is logged with its traceback and counted as failed, except a
    missing Pinterest app configuration, which stops the run). Returns
    ``{total, refreshed, failed, skipped, details: [RefreshOutcome.as_dict()]}``; with
    ``dry_run`` nothing is called or changed and ``details`` lists what would be refreshed.
    """
    candidates = list(connections_expiring(within=within).only("pk", "username", "pinterest_user_id",
                                                               "access_token_expires_at",
                                                               "refresh_token_expires_at"))
    outcomes = []
    for candidate in candidates:
        if dry_run:
            outcomes.append(RefreshOutcome(
                connection_id=candidate.pk, connection=str(candidate), status=RefreshOutcome.WOULD_REFRESH,
                access_token_expires_at=candidate.access_token_expires_at,
                refresh_token_expires_at=candidate.refresh_token_expires_at,
            ))
            continue
        try:
            outcome = connection_refresh_tokens(connection_id=candidate.pk, within=within, sleep=sleep)
        except PinterestConnection.DoesNotExist:
            outcome = RefreshOutcome(candidate.pk, str(candidate), RefreshOutcome.SKIPPED, "Deleted meanwhile.")
        except ImproperlyConfigured:
            raise  # e.g. no app secret: every connection would fail the same way
        except Exception as exc:
            # One connection's unexpected failure (a bug, a lost database connection) must not
            # stop the others' refresh; it is logged with its traceback, never swallowed silently.
            logger.exception("Refreshing connection %s failed unexpectedly", candidate.pk)
            outcome = RefreshOutcome(candidate.pk, str(candidate), RefreshOutcome.FAILED,
                                     f"Unexpected error: {type(exc).__name__}: {exc}")
        outcomes.append(outcome)
    summary = {
        "total": len(candidates),
        "refreshed": sum(o.status == RefreshOutcome.REFRESHED for o in outcomes),
        "failed": sum(o.status == RefreshOutcome.FAILED for o in outcomes),
        "skipped": sum(o.status == RefreshOutcome.SKIPPED for o in outcomes),
        "details": [o.as_dict() for o in outcomes],
    }
    logger.info(
        "Token refresh%s: %s expiring within %s, %s refreshed, %s failed, %s skipped",
        " (dry run)" if dry_run else "", summary["total"], within, summary["refreshed"], summary["failed"],
        summary["skipped"],
    )
    return summary
