"""API keys: many per tenant, each with a name, an owner, scopes and an optional expiry.

A key is stored as its prefix (in clear, to find the row) and the SHA-256 of the whole key
(``apikeys.keys``); the key itself exists only in the answer that created it. A key acts as
its owner, inside its tenant, within its scopes, until it expires or is revoked.
"""

from datetime import datetime

from django.db import models
from django.utils import timezone

from apikeys.conf import apikeys_settings
from apikeys.scopes import Scope

NAME_MAX_LENGTH = 100


class ApiKey(models.Model):
    tenant = models.ForeignKey("publishing.Tenant", on_delete=models.CASCADE, related_name="api_keys")
    owner = models.ForeignKey(
        apikeys_settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="The key acts as this user; it stops working when the user is inactive or leaves the tenant.",
    )
    name = models.CharField(
        max_length=NAME_MAX_LENGTH, help_text="What the key is for, e.g. the integration that uses it."
    )
    prefix = models.CharField(
        max_length=16, unique=True, editable=False, help_text="The key's first characters, stored in clear to find it."
    )
    hashed_key = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text="What the key may do: " + ", ".join(Scope.values) + ".")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Recorded at most once a minute."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_active(self, now: datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
