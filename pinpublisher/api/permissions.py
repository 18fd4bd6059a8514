"""Tenant scoping: every endpoint works inside the caller's tenant.

Another tenant's object is a 404, whatever the method, never a 403 that would confirm it
exists. A signed-in user who belongs to no tenant gets 403 ``no_tenant`` from every endpoint
(before anything is looked up), so the answer never depends on the object asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.db.models import Model
    from rest_framework.views import APIView


def tenant_of(user: User | AnonymousUser) -> Model | None:
    """The user's tenant, or None for an anonymous user or one without a membership.

    Reads ``user.membership.tenant``; Django caches both on the user instance, so a request
    pays for them once (API key authentication has already fetched them with the user).
    """
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    try:
        return user.membership.tenant
    except ObjectDoesNotExist:
        return None


class IsTenantMember(BasePermission):
    message = (
        "Your user belongs to no tenant, so there is nothing here for it; "
        "ask an owner of your organisation to add you."
    )
    code = "no_tenant"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return tenant_of(request.user) is not None
