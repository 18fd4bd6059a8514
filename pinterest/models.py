"""A tenant's Pinterest accounts and their boards.

The tenant model is referenced by string: the pinterest app never imports
publishing code.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from pinterest.fields import EncryptedFieldsQuerySet, EncryptedTextField
from pinterest.scopes import REQUIRED_SCOPES, parse_scopes

__all__ = ["REQUIRED_SCOPES", "Board", "Health", "PinterestConnection", "TenantRef"]

#: A tenant (``publishing.Tenant``) as this app sees it: pinterest never imports publishing,
#: so its type is not named here.
TenantRef = Any


class PinterestConnection(models.Model):
    tenant = models.ForeignKey(
        "publishing.Tenant", on_delete=models.CASCADE, related_name="pinterest_connections"
    )
    pinterest_user_id = models.CharField(max_length=64)
    username = models.CharField(max_length=150, blank=True)
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True, help_text="Granted scopes, comma-separated.")
    is_active = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # A refresh that failed for a passing reason (5xx, timeout, unreachable) keeps the
    # connection active and is retried with backoff until the access token expires.
    refresh_failing_since = models.DateTimeField(null=True, blank=True)
    refresh_failures = models.PositiveIntegerField(default=0)
    next_refresh_at = models.DateTimeField(
        null=True, blank=True, help_text="When a refresh that failed for a passing reason is tried again."
    )
    # Pinterest's anti-spam system blocked the account (a 429 that says so): no creates until then.
    spam_blocked_at = models.DateTimeField(null=True, blank=True)
    spam_blocked_until = models.DateTimeField(null=True, blank=True)
    # The health the tenant's owners were last told about (one message per change).
    notified_health = models.CharField(max_length=20, blank=True)
    # Pacing shared by every publisher (web, bulk tasks, sweeps, on any host): the earliest
    # moment the next create-pin call for this account may start. Reserved atomically.
    next_publish_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EncryptedFieldsQuerySet.as_manager()

    class Meta:
        constraints = [
            # Reconnecting the same Pinterest account updates its row; so at most one
            # connection (active or not) exists per Pinterest user per tenant.
            models.UniqueConstraint(
                fields=["tenant", "pinterest_user_id"], name="uniq_connection_per_tenant_user"
            ),
        ]
        ordering = ["username", "id"]

    def __str__(self) -> str:
        return f"@{self.username or self.pinterest_user_id}"

    @property
    def scope_list(self) -> list[str]:
        return parse_scopes(self.scopes)

    @property
    def has_access_token(self) -> bool:
        return bool(self.__dict__.get("access_token"))

    @property
    def has_refresh_token(self) -> bool:
        return bool(self.__dict__.get("refresh_token"))

    def access_token_expires_within(self, delta: timedelta, *, now: datetime | None = None) -> bool:
        if self.access_token_expires_at is None:
            return False
        return self.access_token_expires_at <= (now or timezone.now()) + delta

    def is_access_token_expired(self, *, now: datetime | None = None) -> bool:
        return self.access_token_expires_within(timedelta(0), now=now)

    def is_spam_blocked(self, *, now: datetime | None = None) -> bool:
        return self.spam_blocked_until is not None and self.spam_blocked_until > (now or timezone.now())

    def health(self, *, now: datetime | None = None) -> tuple[str, str]:
        """(Health value, what a person reads about it), from the row's own fields."""
        now = now or timezone.now()
        if not self.is_active:
            return Health.NEEDS_RECONNECT, self.last_error or "The connection is inactive: connect the account again."
        if self.is_spam_blocked(now=now):
            since = f" at {self.spam_blocked_at:%Y-%m-%d %H:%M %Z}" if self.spam_blocked_at else ""
            return Health.SPAM_BLOCKED, (
                f"Pinterest blocked this account for suspected spam{since}; "
                f"publishing resumes after {self.spam_blocked_until:%Y-%m-%d %H:%M %Z}."
            )
        if self.refresh_failing_since is not None:
            left = ""
            if self.access_token_expires_at is not None and self.access_token_expires_at <= now:
                left = "; the access token has expired, so its pins wait"
            elif self.access_token_expires_at is not None:
                days = (self.access_token_expires_at - now).total_seconds() / 86400
                left = f"; the access token expires in {days:.1f} days"
            return Health.REFRESH_FAILING, (
                f"Token refresh failing since {self.refresh_failing_since:%Y-%m-%d %H:%M %Z}{left}; "
                f"retried automatically ({self.last_error})"
            )
        if self.access_token_expires_at is None:
            return Health.EXPIRY_UNKNOWN, (
                "Expiry unknown: add a refresh token or connect with OAuth to keep it alive."
                if not self.has_refresh_token
                else "Expiry unknown until the first refresh."
            )
        return Health.OK, ""

    def needs_a_person(self, *, now: datetime | None = None) -> bool:
        """Deactivated, spam blocked, or a refresh failing for more than a day."""
        now = now or timezone.now()
        value, _ = self.health(now=now)
        since = self.refresh_failing_since
        if value == Health.REFRESH_FAILING and since is not None:  # health() says so only with a date
            return since <= now - REFRESH_FAILING_ALERT_AFTER
        return value in (Health.NEEDS_RECONNECT, Health.SPAM_BLOCKED)


class Health(models.TextChoices):
    OK = "ok", "OK"
    REFRESH_FAILING = "refresh_failing", "Refresh failing"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
    SPAM_BLOCKED = "spam_blocked", "Blocked for spam"
    EXPIRY_UNKNOWN = "expiry_unknown", "Expiry unknown"


#: A refresh failing this long needs a person even while the token still works.
REFRESH_FAILING_ALERT_AFTER = timedelta(hours=24)


class Board(models.Model):
    connection = models.ForeignKey(
        PinterestConnection, on_delete=models.CASCADE, related_name="boards"
    )
    pinterest_board_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    privacy = models.CharField(max_length=20, blank=True)
    # Gone from Pinterest at the last sync: kept for the pins' history, never published to.
    is_archived = models.BooleanField(default=False)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "pinterest_board_id"], name="uniq_board_per_connection"
            ),
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BoardSection(models.Model):
    """A section of a board (``GET /v5/boards/{board_id}/sections``), kept in step by ``boards_sync``."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="sections")
    pinterest_section_id = models.CharField(max_length=64)
    name = models.CharField(max_length=180)
    # Gone from Pinterest at the last sync: kept for the pins' history, never published to.
    is_archived = models.BooleanField(default=False)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["board", "pinterest_section_id"], name="uniq_section_per_board"
            ),
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
