"""The API's role check (issue 29): every endpoint asks ``publishing.roles.may`` for the action
its request needs, after the key's scope (``apikeys.authentication.HasRequiredScope``).

The action of a request is the scope its view names for the method (``read`` for GET, HEAD and
OPTIONS, the view's ``write_scope`` otherwise: ``apikeys.authentication.scope_required``), or the
view's ``role_action`` for every method when it sets one (the team's endpoints are the owners'
even to read). The user is the session's, or the key's owner: their role is read on this very
request, so a key never does more than its owner's current role allows (its effective scopes are
its own that the role allows). Named in ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``, so every
``TenantApi`` has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from apikeys.authentication import scope_required
from publishing.roles import require

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def action_required(view: APIView, method: str) -> str | None:
    """The action ``method`` on ``view`` needs (None: a method the view does not have, a 405)."""
    explicit: str | None = getattr(view, "role_action", None)
    if explicit is not None and (method.upper() in ("GET", "HEAD", "OPTIONS") or hasattr(view, method.lower())):
        return explicit
    return scope_required(view, method)


class RoleAllows(BasePermission):
    """403 ``role_forbids`` when the member's role does not allow the request's action."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = action_required(view, request.method or "GET")
        if action is not None:
            require(getattr(request.user, "membership", None), action)
        return True
