"""Unlocking a member the login throttling locked out (django-axes).

Axes counts failed sign-ins per username and per address (``AXES_LOCKOUT_PARAMETERS``) and locks
either at ``AXES_FAILURE_LIMIT`` until ``AXES_COOLOFF_TIME`` passes. An operator unlocks anyone
(the admin's "Access attempts", or ``manage.py axes_reset_username`` / ``axes_reset_ip``); a tenant's
owner unlocks their own members' usernames here. Addresses stay the operators' to reset: one
address is shared by many tenants' people.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts import selectors
from accounts.errors import OwnerRequired
from audit import record as audit_trail
from publishing.models import Tenant


def member_unlock(*, tenant: Tenant, actor: Any, user_id: int) -> int:
    """Clear the failed sign-ins of ``tenant``'s member ``user_id``; returns how many records went.

    Raises ``OwnerRequired`` unless ``actor`` owns the tenant, and the model's ``DoesNotExist`` when
    the user is not a member of it (another tenant's member reads as not found)."""
    if not selectors.is_owner(user=actor, tenant=tenant):
        raise OwnerRequired("Only an owner can unlock a member's login.")
    user = get_user_model().objects.filter(membership__tenant=tenant).get(pk=user_id)
    with transaction.atomic():
        cleared = reset(username=user.get_username())
        audit_trail.record("member.unlock", tenant_id=tenant.pk, object_id=user.membership.pk,
                           object_repr=user.get_username(), changes={"failed_logins_cleared": [None, cleared]})
    return cleared

