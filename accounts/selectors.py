"""Reads of the accounts app: a user's membership, a tenant's invitations and locked members."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.conf import accounts_settings
from accounts.models import Invitation, LoginPolicy, TwoFactorDevice
from publishing.models import Membership, Tenant


def membership_of(*, user: Any) -> Membership | None:
    """The active user's membership (with its tenant), or None: an operator, or nobody signed in."""
    if not getattr(user, "pk", None) or not user.is_active:
        return None
    return Membership.objects.filter(user_id=user.pk).select_related("tenant").first()


def user_tenant_id(*, user_id: int) -> int | None:
    """The tenant the user belongs to (the audit trail's tenant of their own settings), or None."""
    return Membership.objects.filter(user_id=user_id).values_list("tenant_id", flat=True).first()


def is_owner(*, user: Any, tenant: Tenant) -> bool:
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    return Membership.objects.filter(
        user_id=user_id, tenant=tenant, role=Membership.Role.OWNER, user__is_active=True
    ).exists()


def invitations_for_tenant(*, tenant: Tenant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(tenant=tenant).select_related("invited_by")


def login_policy(*, tenant: Tenant) -> LoginPolicy:
    """The tenant's policy; an unsaved default one when it never changed it."""
    return LoginPolicy.objects.filter(tenant=tenant).first() or LoginPolicy(tenant=tenant)


def two_factor_device(*, user_id: int) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user_id=user_id).first()


def two_factor_missing_for_owner(*, user_id: int) -> bool:
    """True when the user owns a tenant that makes owners use two-factor and has none in use.
    One query: the middleware asks it on every signed-in request."""
    return Membership.objects.filter(
        user_id=user_id, role=Membership.Role.OWNER, tenant__login_policy__owners_need_two_factor=True
    ).exclude(user__two_factor__confirmed_at__isnull=False).exists()


def locked_members(*, tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant's members whose username has reached the failure limit (while the lockout
    lasts): ``{"user_id", "username", "failures"}``."""
    usernames = list(
        get_user_model().objects.filter(membership__tenant=tenant).values_list("username", flat=True)
    )
    attempts = AccessAttempt.objects.filter(username__in=usernames)
    cool_off = accounts_settings.AXES_COOLOFF_TIME
    if cool_off:  # a lockout that has run its time is over, whatever rows remain
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    rows = (
        attempts
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=accounts_settings.AXES_FAILURE_LIMIT)
    )
    failures = {row["username"]: row["failures"] for row in rows}
    users = get_user_model().objects.filter(membership__tenant=tenant, username__in=failures).order_by("username")
    return [{"user_id": user.pk, "username": user.username, "failures": failures[user.username]} for user in users]


def owner_needs_two_factor(*, user_id: int) -> bool:
    """True when the user owns a tenant that makes its owners use two-factor."""
    return Membership.objects.filter(
        user_id=user_id, role=Membership.Role.OWNER, tenant__login_policy__owners_need_two_factor=True
    ).exists()
