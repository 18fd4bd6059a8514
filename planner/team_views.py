"""The planner's Team page (``/planner/team/``, issue 29): the tenant's members with their roles,
change a role, remove a member. The owners' only (``members:write``, reads included); editors and
viewers get 403 and never see the link.

Thin: the list is ``publishing.selectors.tenant_members``; a change and a removal call the very
services ``PATCH`` and ``DELETE /api/members/{id}/`` call (``publishing.services.members``), and a
refusal (the last owner) comes back as a message, with the rule's words (post/redirect/get).
The page's template keeps one section per job (``team.html``: the members; invitations join it
as their own section).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.views import team_context
from pinpublisher.errors import DomainError
from planner.access import role_required
from publishing.models import Membership, Tenant
from publishing.roles import Action, Role, actions_of
from publishing.selectors import tenant_members
from publishing.services.members import member_remove, member_role_change

#: What each role may do, as the page explains it.
ROLE_SUMMARIES: dict[str, str] = {
    Role.OWNER: "Everything: the team, API keys, webhooks and Pinterest accounts.",
    Role.EDITOR: "Creates, edits, schedules, queues and publishes pins.",
    Role.VIEWER: "Sees everything, changes nothing.",
}


def _member_or_404(tenant: Tenant, membership_id: int) -> Membership:
    member = tenant_members(tenant_id=tenant.pk).filter(pk=membership_id).first()
    if member is None:
        raise Http404("No such member.")
    return member


@role_required(Action.MANAGE_TEAM)
@require_GET
def team(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    members = list(tenant_members(tenant_id=tenant.pk))
    owners = sum(member.role == Role.OWNER for member in members)
    return render(request, "planner/team.html", {
        "nav": "team",
        "tenant": tenant,
        "members": members,
        "owners": owners,
        "roles": [(role, label, ROLE_SUMMARIES[role], actions_of(role)) for role, label in Role.choices],
        # Invitations and lockouts (the accounts app's sections, its forms post to its own views).
        **team_context(request, tenant),
    })


@role_required(Action.MANAGE_TEAM)
@require_POST
def member_change_role(request: HttpRequest, membership_id: int, *, tenant: Tenant) -> HttpResponse:
    member = _member_or_404(tenant, membership_id)
    role = request.POST.get("role", "")
    try:
        changed = member_role_change(tenant=tenant, membership_id=member.pk, role=role)
    except DomainError as err:
        messages.error(request, f"Not changed. {err}")
    except ValidationError as err:  # no role of the list
        messages.error(request, "Not changed. " + " ".join(err.messages))
    else:
        messages.success(request, f"{member.user.username} is now {changed.get_role_display().lower()}.")
    return HttpResponseRedirect(reverse("planner:team"))


@role_required(Action.MANAGE_TEAM)
@require_POST
def member_remove_view(request: HttpRequest, membership_id: int, *, tenant: Tenant) -> HttpResponse:
    member = _member_or_404(tenant, membership_id)
    try:
        member_remove(tenant=tenant, membership_id=member.pk)
    except DomainError as err:
        messages.error(request, f"Not removed. {err}")
    else:
        messages.success(
            request, f"{member.user.username} was removed: their API keys are revoked and their sessions ended."
        )
    return HttpResponseRedirect(reverse("planner:team"))
