"""Keeping tokens alive: refresh now, the daily refresh of expiring tokens, and the retry of
refreshes that failed for a passing reason.

Each call to Pinterest's token endpoint runs under the connection's row lock
(``SELECT ... FOR UPDATE``), deliberately: Pinterest rotates the refresh token on every
refresh (continuous refresh), so a refresh token can be spent once. The need is re-checked
inside the lock, so two refreshers (the daily job, a publish just in time, a person clicking
"refresh now", on any host) never both spend it: the second waits, sees the new token and
returns. The lock is held for one call and never across a wait between retries.

Only a definite refusal deactivates a connection; a transient failure keeps it active and
is tried again with backoff (``next_refresh_at``). A person waits at most
``TOKEN_REFRESH_MAX_WAIT_SECONDS`` in all. Nothing here logs a token.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest import fields
from pinterest.client import TokenGrant
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
from pinterest.services.refresh_waits import RefreshPatience, affordable, refresh_retry_delay, retry_wait

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
    #: RETRYING after a 429: the seconds Pinterest asked to wait before the next try.
    retry_after: float | None = None

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

def connection_refresh_tokens(
    *, connection_id: int, within: timedelta | None = None, sleep: Callable[[float], None] | None = None,
    retries: int = TOKEN_REFRESH_RETRIES, due_retry: bool = False, now: datetime | None = None,
    patience: RefreshPatience | None = None,
) -> RefreshOutcome:
    """Refresh the connection's tokens now (see ``_refresh_attempt`` for every outcome), then
    tell the owners if the connection started or stopped needing them.

    A transient failure is tried again up to ``retries`` times after a wait (the backoff, or
    Pinterest's Retry-After when longer). Each try is its own short transaction: the row lock
    is released before the wait and taken again after it, and the row read again, so no
    refresher ever sleeps holding it, and a refresh token some other refresher spent meanwhile
    is never sent again. ``patience`` (a person waits: "refresh now"): no wait goes past it in
    all; a longer one ends the refresh at once as RETRYING with ``retry_after``. Without it (the
    jobs) a Retry-After up to ``BACKGROUND_RETRY_AFTER_MAX`` is waited out."""
    sleep = sleep or time.sleep
    seen: str | None = None
    attempt = 0
    while True:
        outcome, wait, seen = _refresh_attempt(
            connection_id=connection_id, within=within, due_retry=due_retry, now=now, seen=seen,
            attempt=attempt, retries=retries, patience=patience,
        )
        if outcome is not None:
            break
        if patience is not None:
            patience.slept += wait
        sleep(wait)
        attempt += 1
    if outcome.status in (RefreshOutcome.REFRESHED, RefreshOutcome.RETRYING, RefreshOutcome.FAILED):
        connection_health_check(connection_id=connection_id)
    return outcome


def _refresh_attempt(
    *, connection_id: int, within: timedelta | None, due_retry: bool, now: datetime | None, seen: str | None,
    attempt: int, retries: int, patience: RefreshPatience | None,
) -> tuple[RefreshOutcome | None, float, str]:
    """One try at refreshing the connection's access token, storing the new access AND refresh
    tokens: ``(outcome, 0, marker)`` when done, ``(None, wait, marker)`` to wait (unlocked) and try again.

    The first try, with ``within``, refreshes only when a token still expires within it once the
    row is locked (else SKIPPED). A later try first looks whether the stored refresh token changed
    since the first (``seen``, its ciphertext): another refresher or a reconnect renewed it
    meanwhile, so REFRESHED without a call. While this one waits, ``next_refresh_at`` says when
    it tries again, so the retry job leaves the connection alone.

    Success stores both tokens, their expiries and ``last_refreshed_at`` and clears the failing
    state. A definite refusal (400 invalid grant, 401, 403) deactivates the connection with
    ``last_error = "Token refresh failed: <Pinterest's message>"``: FAILED. A transient failure
    (5xx, timeout, unreachable, 429) past ``retries``, or whose wait the caller cannot afford,
    keeps it active and records ``refresh_failing_since``, ``last_error`` and ``next_refresh_at``
    (backoff doubling from 5 minutes to 2 hours, never before Pinterest's Retry-After):
    RETRYING; only when the refresh token itself has expired is it deactivated (FAILED).
    ``due_retry``: only when ``next_refresh_at`` has come (the retry job). Inactive: SKIPPED.
    No refresh token, or one that cannot be decrypted: FAILED, unchanged. Raises
    PinterestConnection.DoesNotExist and PinterestConfigurationError.
    """
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().get(pk=connection_id)
        outcome = RefreshOutcome(connection_id=connection.pk, connection=str(connection), status="")
        marker = str(connection.__dict__.get("refresh_token") or "")
        now = now or timezone.now()
        if not connection.is_active:
            outcome.status, outcome.error = RefreshOutcome.SKIPPED, disconnected_message(connection)
            return outcome, 0.0, marker
        waiting = connection.next_refresh_at is not None and connection.next_refresh_at > now
        if attempt == 0 and (
            (within is not None and not needs_refresh(connection, within, now)) or (due_retry and waiting) or (
                due_retry and connection.next_refresh_at is None
            )
        ):
            outcome.status = RefreshOutcome.SKIPPED
            _expiries(outcome, connection)
            return outcome, 0.0, marker
        if seen is not None and marker != seen:
            outcome.status = RefreshOutcome.REFRESHED
            _expiries(outcome, connection)
            logger.info("Connection %s (%s): its tokens were renewed meanwhile", connection.pk, connection)
            return outcome, 0.0, marker
        try:
            refresh_token = connection.refresh_token
        except fields.TokenDecryptionError as exc:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = f"The stored refresh token cannot be decrypted ({exc})."
            logger.error("Connection %s: %s", connection.pk, outcome.error)
            return outcome, 0.0, marker
        if not refresh_token:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = "No refresh token is stored: reconnect the account before its access token expires."
            return outcome, 0.0, marker
        try:
            grant = token_client().refresh_access_token(refresh_token)
        except TRANSIENT_REFRESH_ERRORS as exc:
            wait = retry_wait(exc, attempt)
            if attempt < retries and affordable(wait, patience):
                logger.warning("Token refresh failed transiently (%s); retry %s of %s in %.2f s", exc,
                               attempt + 1, retries, wait)
                connection.next_refresh_at = timezone.now() + timedelta(seconds=wait)
                connection.save(update_fields=["next_refresh_at", "updated_at"])
                return None, wait, marker
            expiry = connection.refresh_token_expires_at
            if expiry is None or expiry > timezone.now():
                return _refresh_failing(connection, exc, outcome), 0.0, marker
            # The refresh token itself has run out: no later try can succeed.
            outcome.status = RefreshOutcome.FAILED
            outcome.error = (
                f"Token refresh kept failing until the refresh token expired: {exc.user_message}. "
                "Connect the account again."
            )
            _deactivate(connection, outcome.error)
            logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
            return outcome, 0.0, marker
        except PinterestError as exc:
            outcome.status = RefreshOutcome.FAILED
            outcome.error = f"Token refresh failed: {exc.user_message}"
            _deactivate(connection, outcome.error)
            logger.warning("Connection %s (%s): %s [%s]", connection.pk, connection, outcome.error, exc)
            return outcome, 0.0, marker
        now = timezone.now()
        before = audit_trail.snapshot(connection)
        for name, value in grant_values(grant, now).items():
            if name.startswith("refresh_token") and not grant.refresh_token:
                continue  # Pinterest sent no new refresh token: the stored one stays valid
            setattr(connection, name, value)
        connection.last_refreshed_at = now
        connection.last_error = ""
        connection.refresh_failing_since = None
        connection.refresh_failures = 0
        connection.next_refresh_at = None
        audit_trail.record("connection.refresh_tokens", connection, before=before)
        connection.save(
            update_fields=[
                "access_token", "refresh_token", "access_token_expires_at", "refresh_token_expires_at",
                "last_refreshed_at", "last_error", "refresh_failing_since", "refresh_failures", "next_refresh_at",
                "updated_at",
            ]
        )
    outcome.status = RefreshOutcome.REFRESHED
    _expiries(outcome, connection)
    logger.info("Tokens of connection %s (%s) refreshed", connection.pk, connection)
    return outcome, 0.0, marker


def _expiries(outcome: RefreshOutcome, connection: PinterestConnection) -> None:
    outcome.access_token_expires_at = connection.access_token_expires_at
    outcome.refresh_token_expires_at = connection.refresh_token_expires_at


def _deactivate(connection: PinterestConnection, error: str) -> None:
    before = audit_trail.snapshot(connection)
    connection.is_active = False
    connection.last_error = error
    connection.last_error_at = timezone.now()
    connection.next_refresh_at = None
    connection.save(update_fields=["is_active", "last_error", "last_error_at", "next_refresh_at", "updated_at"])
    audit_trail.record("connection.deactivate", connection, before=before)


def _refresh_failing(connection: PinterestConnection, exc: PinterestError, outcome: RefreshOutcome) -> RefreshOutcome:
    """A transient failure: the token is fine as far as anyone knows; try again later, never
    before Pinterest's Retry-After (then the message says when a person may try again)."""
    now = timezone.now()
    retry_after = exc.retry_after if isinstance(exc, PinterestRateLimitError) else None
    connection.refresh_failures += 1
    connection.refresh_failing_since = connection.refresh_failing_since or now
    delay = refresh_retry_delay(connection.refresh_failures)
    connection.next_refresh_at = now + max(delay, timedelta(seconds=retry_after or 0))
    told = ""
    if retry_after is not None:
        told = (
            f"Pinterest asked to wait {retry_after:g} s before the next token refresh: try again after "
            f"{now + timedelta(seconds=retry_after):%H:%M:%S} UTC; "
        )
    connection.last_error = (
        f"Token refresh failing: {exc.user_message} ({told}next try at {connection.next_refresh_at:%H:%M} UTC)"
    )
    connection.last_error_at = now
    connection.save(update_fields=[
        "refresh_failures", "refresh_failing_since", "next_refresh_at", "last_error", "last_error_at", "updated_at",
    ])
    outcome.status = RefreshOutcome.RETRYING
    outcome.error = connection.last_error
    outcome.retry_after = retry_after
    _expiries(outcome, connection)
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
    *, within: timedelta, dry_run: bool = False, sleep: Callable[[float], None] | None = None
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


def connections_refresh_retry_due(*, now: datetime | None = None, sleep: Callable[[float], None] | None = None) -> dict:
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
