"""A tenant's Pinterest accounts and their boards.

The tenant model is referenced by string: the pinterest app never imports
publishing code.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from pinterest.fields import EncryptedFieldsQuerySet, EncryptedTextField
from pinterest.scopes import REQUIRED_SCOPES, parse_scopes

__all__ = ["REQUIRED_SCOPES", "Board", "PinterestConnection"]


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
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
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

    def __str__(self):
        return f"@{self.username or self.pinterest_user_id}"

    @property
    def scope_list(self):
        return parse_scopes(self.scopes)

    @property
    def has_access_token(self):
        return bool(self.__dict__.get("access_token"))

    @property
    def has_refresh_token(self):
        return bool(self.__dict__.get("refresh_token"))

    def access_token_expires_within(self, delta, *, now=None):
        if self.access_token_expires_at is None:
            return False
        return self.access_token_expires_at <= (now or timezone.now()) + delta

    def is_access_token_expired(self, *, now=None):
        return self.access_token_expires_within(timedelta(0), now=now)


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

    def __str__(self):
        return self.name
