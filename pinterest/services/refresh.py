"""Keeping tokens alive: refresh now, the daily refresh of expiring tokens, and the retry of
refreshes that failed for a passing reason.

Token refresh runs under the connection's row lock (``SELECT ... FOR UPDATE``),
deliberately: Pinterest rotates the refresh token on every refresh (continuous refresh),
so a refresh token can be spent once. The need is re-checked inside the lock, so two
refreshers (the daily job, a publish just in time, a person clicking "refresh now", on
any host) never both spend it: the second waits, sees the new expiry and returns. The
transaction holds that one row and nothing else.

Only a definite refusal deactivates a connection; a transient failure keeps it active and
is tried again with backoff (``next_refresh_at``). Nothing here logs a token.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from pinterest import fields
from pinterest.client import TokenGrant
from pinterest.conf import pinterest_settings
from pinterest.errors import (
    PinterestConnectionError,
    PinterestError,
    PinterestRateLimitError,
    PinterestUnavailable,
)
from pinterest.models import PinterestConnection
from pinterest.selectors import connections_expiring, connections_refresh_due
from pinterest.services.clients import token_client
from pinterest.services.health import connection_health_check

logger = logging.getLogger(__name__)

#: Transient refresh failures (5xx, timeout, connection error, 429) are retried this many times in line.
TOKEN_REFRESH_RETRIES = 3


def disconnected_message(connection: PinterestConnection) -> str:
    return (
        f"Pinterest account {connection} is disconnected"
        + (f": {connection.last_error.rstrip('.')}" if connection.last_error else "")
        + ". Reconnect it, then retry."
    )


def needs_refresh(connection: PinterestConnection, within: timedelta, now: datetime) -> bool:
    """Whether the access token or the refresh token expires within ``within`` (unknown: no)."""
    limit = now + within
    return any(
        expiry is not None and expiry <= limit
        for expiry in (connection.access_token_expires_at, connection.refresh_token_expires_at)
    )


@dataclass
class RefreshOutcome:
    REFRESHED = "refreshed"
    FAILED = "failed"
    #: Pinterest could not be asked or answered 5xx: the connection stays active and the
    #: refresh is tried again at ``next_refresh_at``.
    RETRYING = "retrying"
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


def grant_values(grant: TokenGrant, now: datetime) -> dict:
    return {
        "access_token": grant.access_token,
        # Continuous refresh rotates the refresh token: the new one replaces the spent one.
        "refresh_token": grant.refresh_token,
        "access_token_expires_at": grant.access_token_expires_at(now),
        "refresh_token_expires_at": grant.refresh_token_expiry(now),
    }


#: Failures that say nothing about the token: Pinterest is down, slow, unreachable or busy.
TRANSIENT_REFRESH_ERRORS = (PinterestUnavailable, PinterestConnectionError, PinterestRateLimitError)

#: After a transient refresh failure, the next try waits this long, doubled per failure, capped.
REFRESH_RETRY_FIRST = timedelta(minutes=5)
REFRESH_RETRY_MAX = timedelta(hours=2)


def refresh_retry_delay(failures: int) -> timedelta:
    """The wait before the next try after ``failures`` transient failures in a row (1, 2, ...)."""
    return min(REFRESH_RETRY_MAX, REFRESH_RETRY_FIRST * 2 ** max(0, failures - 1))


def _refresh_grant(
    refresh_token: str, *, sleep: Callable[[float], None], retries: int = TOKEN_REFRESH_RETRIES
) -> TokenGrant:
    """``refresh_access_token`` with transient failures (5xx, timeout, connection error, 429)
    retried ``retries`` times with exponential backoff; raises the last error."""
    client = token_client()
    backoff = float(pinterest_settings.TOKEN_REFRESH_BACKOFF_SECONDS)
    attempt = 0
    while True:
        try:
            return client.refresh_access_token(refresh_token)
        except TRANSIENT_REFRESH_ERRORS as exc:
            if attempt >= retries:
                raise
            wait = backoff * 2**attempt
            if isinstance(exc, PinterestRateLimitError) and exc.retry_after is not None:
                wait = max(wait, min(exc.retry_after, 60.0))
            attempt += 1
            logger.warning(
                "Token refresh failed transiently (%s); retry %s of %s in %.2f s", exc, attempt, retries, wait,
            )
            sleep(wait)


def connection_refresh_tokens(
    *, connection_id: int, within: timedelta | None = None, sleep: Callable[[float], None] = time.sleep,
    retries: int = TOKEN_REFRESH_RETRIES, due_retry: bool = False, now: datetime | None = None,
) -> RefreshOutcome:
    """Refresh the connection's tokens now (see ``_refresh_locked`` for every outcome), then
    tell the owners if the connection started or stopped needing them."""
    outcome = _refresh_locked(connection_id=connection_id, within=within, sleep=sleep, retries=retries,
                              due_retry=due_retry, now=now)
    if outcome.status in (RefreshOutcome.REFRESHED, RefreshOutcome.RETRYING, RefreshOutcome.FAILED):
        connection_health_check(connection_id=connection_id)
    return outcome


def _refresh_locked(
    *, connection_id: int, within: timedelta | None, sleep: Callable[[float], None], retries: int, due_retry: bool,
    now: datetime | None,
) -> RefreshOutcome:
    """Refresh the connection's access token now; store the new access AND refresh tokens.

    With ``within``, only when a token still expires within it once the row is locked
    (another refresher may just have done it: then SKIPPED). The call to Pinterest
    happens while this one connection's row is locked, deliberately: that is how a
    refresh token is spent exactly once.

    Success stores both tokens, their expiries and ``last_refreshed_at`` and clears
    ``last_error`` and the failing state. A definite refusal by Pinterest (400 invalid grant,
    401, 403: the app lost access) marks the connection inactive with ``last_error = "Token
    refresh failed: <Pinterest's message>"`` and returns FAILED. A transient failure (5xx,
    timeout, unreachable, 429) past ``retries`` keeps it active: ``refresh_failing_since``,
    ``last_error`` and ``next_refresh_at`` (backoff doubling from 5 minutes to 2 hours) are
    recorded and RETRYING returned; pins wait while the access token has expired meanwhile,
    and the connection heals itself when Pinterest answers again. Only when the refresh token
    itself has expired is it deactivated (FAILED): no later try could succeed. ``due_retry``: only
    when ``next_refresh_at`` has come (the retry job). An inactive connection is SKIPPED. A
    connection without a refresh token, or whose refresh token cannot be decrypted, is FAILED
    and left unchanged. Raises PinterestConnection.DoesNotExist and PinterestConfigurationError.
    """
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().get(pk=connection_id)
        outcome = RefreshOutcome(connection_id=connection.pk, connection=str(connection), status="")
        now = now or timezone.now()
        if not connection.is_active:
            outcome.status, outcome.error = RefreshOutcome.SKIPPED, disconnected_message(connection)
            return outcome
        waiting = connection.next_refresh_at is not None and connection.next_refresh_at > now
        if (within is not None and not needs_refresh(connection, within, now)) or (due_retry and waiting) or (
            due_retry and connection.next_refresh_at is None
        ):
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
            grant = _refresh_grant(refresh_token, sleep=sleep, retries=retries)
        except TRANSIENT_REFRESH_ERRORS as exc:
            expiry = connection.refresh_token_expires_at
            if expiry is None or expiry > timezone.now():
                return _refresh_failing(connection, exc, outcome)
            # The refresh token itself has run out: no later try can succeed.
            outcome.status = RefreshOutcome.FAILED
            outcome.error = (
                f"Token refresh kept failing until the refresh token expired: {exc.user_message}. "
                "Connect the account again."
            )
            _deactivate(connection, outcome.error)
            logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
            return outcome
        except PinterestError as exc:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = f"Token refresh failed: {exc.user_message}"
            _deactivate(connection, outcome.error)
            logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
            return outcome
        now = timezone.now()
        for name, value in grant_values(grant, now).items():
            if name.startswith("refresh_token") and not grant.refresh_token:
                continue  # Pinterest sent no new refresh token: the stored one stays valid
            setattr(connection, name, value)
        connection.last_refreshed_at = now
        connection.last_error = ""
        connection.refresh_failing_since = None
        connection.refresh_failures = 0
        connection.next_refresh_at = None
        connection.save(
            update_fields=[
                "access_token", "refresh_token", "access_token_expires_at", "refresh_token_expires_at",
                "last_refreshed_at", "last_error", "refresh_failing_since", "refresh_failures", "next_refresh_at",
                "updated_at",
            ]
        )
    outcome.status = RefreshOutcome.REFRESHED
    outcome.access_token_expires_at = connection.access_token_expires_at
    outcome.refresh_token_expires_at = connection.refresh_token_expires_at
    logger.info("Tokens of connection %s (%s) refreshed", connection.pk, connection)
    return outcome


def _deactivate(connection: PinterestConnection, error: str) -> None:
    connection.is_active = False
    connection.last_error = error
    connection.last_error_at = timezone.now()
    connection.next_refresh_at = None
    connection.save(update_fields=["is_active", "last_error", "last_error_at", "next_refresh_at", "updated_at"])


def _refresh_failing(connection: PinterestConnection, exc: PinterestError, outcome: RefreshOutcome) -> RefreshOutcome:
    """A transient failure: the token is fine as far as anyone knows; try again later."""
    now = timezone.now()
    connection.refresh_failures += 1
    connection.refresh_failing_since = connection.refresh_failing_since or now
    connection.next_refresh_at = now + refresh_retry_delay(connection.refresh_failures)
    connection.last_error = (
        f"Token refresh failing: {exc.user_message} (next try at {connection.next_refresh_at:%H:%M} UTC)"
    )
    connection.last_error_at = now
    connection.save(update_fields=[
        "refresh_failures", "refresh_failing_since", "next_refresh_at", "last_error", "last_error_at", "updated_at",
    ])
    outcome.status = RefreshOutcome.RETRYING
    outcome.error = connection.last_error
    outcome.access_token_expires_at = connection.access_token_expires_at
    outcome.refresh_token_expires_at = connection.refresh_token_expires_at
    logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
    return outcome


def _summary(outcomes: list[RefreshOutcome], *, total: int) -> dict:
    """``{total, refreshed, failed, retrying, skipped, details}``; details never hold a token."""
    def count(status: str) -> int:
        return sum(o.status == status for o in outcomes)

    return {
        "total": total,
        "refreshed": count(RefreshOutcome.REFRESHED),
        "failed": count(RefreshOutcome.FAILED),
        "retrying": count(RefreshOutcome.RETRYING),
        "skipped": count(RefreshOutcome.SKIPPED),
        "details": [o.as_dict() for o in outcomes],
    }


def connections_refresh_expiring(
    *, within: timedelta, dry_run: bool = False, sleep: Callable[[float], None] = time.sleep
) -> dict:
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
    summary = _summary(outcomes, total=len(candidates))
    logger.info(
        "Token refresh%s: %s expiring within %s, %s refreshed, %s failed, %s skipped",
        " (dry run)" if dry_run else "", summary["total"], within, summary["refreshed"], summary["failed"],
        summary["skipped"],
    )
    return summary


def connections_refresh_retry_due(*, now: datetime | None = None, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Try again every refresh that failed for a passing reason and whose ``next_refresh_at``
    has come (the retry job, every 15 minutes), and look at the health of every connection
    still failing, so a refresh failing for a day reaches a person. Returns
    ``{total, refreshed, failed, retrying, skipped, details}``."""
    now = now or timezone.now()
    outcomes = []
    for candidate in connections_refresh_due(now=now).only("pk", "username", "pinterest_user_id"):
        try:
            outcomes.append(
                connection_refresh_tokens(connection_id=candidate.pk, sleep=sleep, due_retry=True, now=now)
            )
        except ImproperlyConfigured:
            raise
        except Exception as exc:
            logger.exception("Retrying the refresh of connection %s failed unexpectedly", candidate.pk)
            outcomes.append(RefreshOutcome(candidate.pk, str(candidate), RefreshOutcome.FAILED,
                                           f"Unexpected error: {type(exc).__name__}: {exc}"))
    for pk in PinterestConnection.objects.filter(is_active=True, refresh_failing_since__isnull=False).values_list(
        "pk", flat=True
    ):
        connection_health_check(connection_id=pk, now=now)
    return _summary(outcomes, total=len(outcomes))
