"""Who may use the planner, for which tenant, and what their role lets them do.

The tenant is the member's own (``Membership``), as the admin scopes a tenant's staff. A user of no
tenant (a superuser who only runs the service, say) has no planner: the admin is theirs. Every
object a page shows is read within this tenant, so another tenant's id reads as "not found"
(404), exactly like an id that does not exist.

Roles (``publishing.roles``, issue 29): every member sees every page (``read``); a request that
writes (POST) needs the action its view names (``pins:write`` unless said otherwise) and is
refused 403 otherwise, whatever the page showed. Pages hide what the member may not do through
``request.permits`` (``Permits``): a viewer sees the pages without their write buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from publishing.models import Membership, Tenant
from publishing.roles import Action, may, refusal

View = Callable[..., HttpResponse]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Permits:
    """What the signed-in member may do, for the templates (``request.permits.write``)."""

    role: str
    write: bool
    publish: bool
    manage_team: bool
    manage_connections: bool

    @classmethod
    def of(cls, membership: Membership) -> Permits:
        return cls(
            role=membership.get_role_display(),
            write=may(membership, Action.WRITE_CONTENT),
            publish=may(membership, Action.PUBLISH),
            manage_team=may(membership, Action.MANAGE_TEAM),
            manage_connections=may(membership, Action.MANAGE_CONNECTIONS),
        )


def member_of(request: HttpRequest) -> Membership:
    """The signed-in user's membership, with its tenant. Raises PermissionDenied when they
    belong to no tenant."""
    user_id = request.user.pk
    membership = (
        Membership.objects.filter(user_id=user_id, user__is_active=True).select_related("tenant").first()
        if user_id is not None
        else None
    )
    if membership is None:
        raise PermissionDenied("The planner is for the members of a tenant; operators use the admin.")
    return membership


def member_tenant(request: HttpRequest) -> Tenant:
    """The tenant the signed-in user belongs to. Raises PermissionDenied when they belong to none."""
    return member_of(request).tenant


def require(request: HttpRequest, action: str) -> None:
    """Raise PermissionDenied (403) unless the signed-in member may do ``action``: for a view
    whose POST may also ask for a second action (the composer's "Publish now")."""
    membership = member_of(request)
    if not may(membership, action):
        raise PermissionDenied(refusal(membership.role, action))


def tenant_member_required(view: View | None = None, *, writes: str = Action.WRITE_CONTENT) -> Any:
    """Sign-in (the planner's login page), then ``member_of``: the view gets ``tenant`` as a
    keyword argument and the request ``permits``. A request that is not a read needs ``writes``
    (403 with the reason otherwise). Use bare (``@tenant_member_required``) or with the action
    (``@tenant_member_required(writes=Action.MANAGE_TEAM)``)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = member_of(request)
            if request.method not in SAFE_METHODS and not may(membership, writes):
                raise PermissionDenied(refusal(membership.role, writes))
            request.permits = Permits.of(membership)  # type: ignore[attr-defined]
            return view(request, *args, tenant=membership.tenant, **kwargs)

        return login_required(wrapped, login_url="planner:login")

    return decorate(view) if view is not None else decorate


def role_required(action: str) -> Callable[[View], View]:
    """A page that is wholly ``action``'s (the Team page: ``members:write``, reads included)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request, action)
            return view(request, *args, **kwargs)

        return tenant_member_required(wrapped, writes=action)

    return decorate
