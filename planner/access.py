"""Who may use the planner, and for which tenant: the member's own (``Membership``), as the admin
scopes a tenant's staff. A user of no tenant (a superuser who only runs the service, say) has no
planner: the admin is theirs. Every object a page shows is read within this tenant, so another
tenant's id reads as "not found" (404), exactly like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from publishing.models import Membership, Tenant

View = Callable[..., HttpResponse]


def member_tenant(request: HttpRequest) -> Tenant:
    """The tenant the signed-in user belongs to. Raises PermissionDenied when they belong to none."""
    user_id = request.user.pk
    membership = (
        Membership.objects.filter(user_id=user_id, user__is_active=True).select_related("tenant").first()
        if user_id is not None
        else None
    )
    if membership is None:
        raise PermissionDenied("The planner is for the members of a tenant; operators use the admin.")
    return membership.tenant


def tenant_member_required(view: View) -> View:
    """Sign-in (the planner's login page), then ``member_tenant``: the view gets ``tenant`` as a
    keyword argument."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, tenant=member_tenant(request), **kwargs)

    return login_required(wrapped, login_url="planner:login")
