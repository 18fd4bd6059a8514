"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238), through pyotp.

Why pyotp and our own small model rather than django-otp: django-otp keeps its TOTP keys in plain
text and brings a device framework (several kinds, an admin site of its own) we do not need; pyotp
is only the RFC's arithmetic, well kept, and the secret stays in our ``TwoFactorDevice``, encrypted
with the token keys like every other secret (``pinterest.fields``). Secrets are never logged.

- ``two_factor_begin``: a new secret (not in use yet) and its ``otpauth://`` URI for the app.
- ``two_factor_confirm``: the first code from the app turns it on (so a mistyped secret never
  locks anyone out).
- ``two_factor_check``: a code at sign-in; the 30-second step before and after are accepted (clock
  drift), and a step already used is refused (a code seen over a shoulder cannot be replayed).
- ``two_factor_disable``: off again, unless the tenant makes its owners use it.
- ``login_policy_set``: an owner switches "owners must use two-factor" for the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyotp
from django.db import transaction
from django.utils import timezone

from accounts import selectors
from accounts.conf import accounts_settings
from accounts.errors import OwnerRequired, TwoFactorRefused
from accounts.models import LoginPolicy, TwoFactorDevice
from audit import record as audit_trail
from pinterest.fields import KeyRotationResult as SecretsRotated
from pinterest.fields import rows_rotate_keys
from publishing.models import Tenant

STEP_SECONDS = 30


@dataclass(frozen=True)
class TwoFactorSetup:
    device: TwoFactorDevice
    secret: str
    uri: str


def _uri(user: Any, secret: str) -> str:
    issuer = accounts_settings.TWO_FACTOR_ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=issuer)


def two_factor_begin(*, user: Any) -> TwoFactorSetup:
    """The secret being set up for ``user``: the one already waiting for its first code, or a new
    one. Raises ``TwoFactorRefused`` when two-factor is already on."""
    device = selectors.two_factor_device(user_id=user.pk)
    if device is not None and device.confirmed_at:
        raise TwoFactorRefused("Two-factor is already on.")
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32())
    secret = device.secret
    return TwoFactorSetup(device=device, secret=secret, uri=_uri(user, secret))


def _matching_step(secret: str, code: str, last_step: int) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now().timestamp()
    for drift in (0, -1, 1):
        step = int(now // STEP_SECONDS) + drift
        if step > last_step and totp.at(step * STEP_SECONDS) == code:
            return step
    return None


def _use_code(device: TwoFactorDevice, code: str) -> bool:
    with transaction.atomic():
        locked = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        step = _matching_step(locked.secret, code, locked.last_step)
        if step is None:
            return False
        locked.last_step = step
        if locked.confirmed_at is None:
            locked.confirmed_at = timezone.now()
        locked.save(update_fields=["last_step", "confirmed_at"])
    return True


def _record(action: str, device: TwoFactorDevice, *, user: Any, before: audit_trail.Snapshot,
            after: audit_trail.Snapshot | None) -> None:
    """The event of a user's two-factor (the secret only as "(secret)"/"(changed)")."""
    audit_trail.record(action, device, before=before, after=after, object_type="user", object_id=user.pk,
                       object_repr=user.get_username(), tenant_id=selectors.user_tenant_id(user_id=user.pk))


def two_factor_confirm(*, user: Any, code: str) -> TwoFactorDevice:
    """Turn two-factor on with the first code of the secret being set up. Raises
    ``TwoFactorRefused`` (naming ``code``) when it does not match or nothing is being set up."""
    device = selectors.two_factor_device(user_id=user.pk)
    with transaction.atomic():
        before = audit_trail.snapshot(device)
        if device is None or device.confirmed_at or not _use_code(device, code):
            raise TwoFactorRefused("That code does not match. Enter the 6 digits your app shows now.", field="code")
        device.refresh_from_db()
        _record("user.two_factor_on", device, user=user, before=before, after=audit_trail.snapshot(device))
    return device


def two_factor_check(*, user: Any, code: str) -> bool:
    """True when ``code`` is a fresh code of the user's two-factor in use."""
    device = selectors.two_factor_device(user_id=user.pk)
    return bool(device and device.confirmed_at and _use_code(device, code))


def two_factor_disable(*, user: Any) -> None:
    """Turn two-factor off. Raises ``TwoFactorRefused`` for an owner whose tenant requires it."""
    if selectors.owner_needs_two_factor(user_id=user.pk):
        raise TwoFactorRefused("Your team requires owners to use two-factor; it cannot be turned off.")
    with transaction.atomic():
        for device in TwoFactorDevice.objects.select_for_update().filter(user_id=user.pk):
            _record("user.two_factor_off", device, user=user, before=audit_trail.snapshot(device), after=None)
        TwoFactorDevice.objects.filter(user_id=user.pk).delete()


def two_factor_turn_off(*, device_ids: list[int]) -> int:
    """An operator turns two-factor off for people who lost their phone (the admin); returns how
    many. An owner whose tenant requires it is sent to set it up again on their next request."""
    with transaction.atomic():
        for device in TwoFactorDevice.objects.select_for_update().filter(pk__in=device_ids).select_related("user"):
            _record("user.two_factor_off", device, user=device.user, before=audit_trail.snapshot(device), after=None)
        count, _ = TwoFactorDevice.objects.filter(pk__in=device_ids).delete()
    return count


def login_policy_set(*, tenant: Tenant, actor: Any, owners_need_two_factor: bool) -> LoginPolicy:
    """Switch the tenant's "owners must use two-factor". Raises ``OwnerRequired``. Owners without it
    are sent to set it up on their next request (``accounts.middleware``)."""
    if not selectors.is_owner(user=actor, tenant=tenant):
        raise OwnerRequired("Only an owner can change the login policy.")
    with transaction.atomic():
        was = LoginPolicy.objects.filter(tenant=tenant).values_list("owners_need_two_factor", flat=True).first()
        policy, _ = LoginPolicy.objects.update_or_create(
            tenant=tenant, defaults={"owners_need_two_factor": owners_need_two_factor}
        )
        if bool(was) != owners_need_two_factor:
            audit_trail.record("tenant.login_policy", policy, object_id=tenant.pk, object_repr=str(tenant),
                               changes={"owners_need_two_factor": [bool(was), owners_need_two_factor]})
    return policy


def secrets_rotate_keys(*, dry_run: bool = False, batch_size: int = 500) -> SecretsRotated:
    """Re-encrypt every two-factor secret under the first token key (``manage.py rotate_token_keys``,
    through ``rows_rotate_keys``). Raises ``pinterest.fields.TokenDecryptionError`` naming a row no
    configured key decrypts."""
    result = rows_rotate_keys(TwoFactorDevice, ("secret",), what="the secret", dry_run=dry_run,
                              batch_size=batch_size)
    if result.rows_changed and not dry_run:
        audit_trail.record("two_factor_secrets.rotate_keys", object_id="-", object_repr="every two-factor secret",
                           changes={"rows_reencrypted": [None, result.rows_changed]})
    return result


