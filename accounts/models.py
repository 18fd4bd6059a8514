"""What the accounts app keeps: invitations, two-factor devices, a tenant's login policy and the
sessions each user signed in with.

- ``Invitation``: an owner's invitation by email with a role. The link's token is stored as its
  SHA-256 hash only (as API keys are), so the table never holds a usable link; it works once
  (``used_at``) and until ``expires_at``, and an owner can revoke it.
- ``TwoFactorDevice``: one TOTP secret per user (RFC 6238, read by any authenticator app),
  encrypted at rest with the token keys (``pinterest.fields``, as webhooks' signing secrets), in use
  once ``confirmed_at`` is set; ``last_step`` refuses a code used twice.
- ``LoginPolicy``: a tenant's "owners must use two-factor" switch. It lives here, one row per
  tenant created when first switched, so the tenant's own model stays publishing's.
- ``UserSession``: which session keys a user signed in with, so "log out everywhere" can end them
  whatever the session engine (database, cache or signed cookies aside).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

from accounts.conf import accounts_settings
from pinterest.fields import EncryptedFieldsQuerySet, EncryptedTextField
from publishing.models import Membership, Tenant


class Invitation(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    # Membership.Role's choices as they are, whatever roles a membership has.
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        accounts_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        accounts_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="invitation_tenant_created")]

    def __str__(self) -> str:
        return f"{self.email} to {self.tenant} as {self.role}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def status(self) -> str:
        """``accepted``, ``revoked``, ``expired`` or ``pending``."""
        if self.used_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired() else "pending"


class TwoFactorDevice(models.Model):
    user = models.OneToOneField(
        accounts_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = EncryptedTextField()  # base32; never shown again once confirmed, never logged
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The last 30-second step a code was accepted for: the same code cannot sign in twice.
    last_step = models.BigIntegerField(default=0)

    objects = EncryptedFieldsQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Two-factor of {self.user} ({'on' if self.confirmed_at else 'being set up'})"


class LoginPolicy(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="login_policy")
    owners_need_two_factor = models.BooleanField(
        default=False, help_text="Owners must set up two-factor before doing anything else."
    )

    class Meta:
        verbose_name_plural = "login policies"

    def __str__(self) -> str:
        return f"Login policy of {self.tenant}"


class UserSession(models.Model):
    user = models.ForeignKey(accounts_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Session of {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"
