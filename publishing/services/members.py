"""A tenant's team (issue 29): change a member's role, remove a member.

Every way in (the API's ``/api/members/``, the planner's Team page) calls these, and only an
owner reaches them (``publishing.roles``: ``members:write``). The rule they keep: a tenant
always has an owner. The tenant's memberships are locked while the owners are counted, so two
owners demoting each other at once leave one owner, never none.

Removing a member deletes their membership (the user stays: a person may be added again, and
what they did keeps its author), revokes every API key acting as them and ends their sessions:
they are signed out of the planner and the admin at their next request.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apikeys.services import api_keys_revoke_of_owner
from audit import record as audit_trail
from pinpublisher.errors import InvalidRequest
from publishing.models import Membership, Tenant
from publishing.roles import Role

LAST_OWNER = (
    "{user} is the last owner of {tenant}: a team always keeps an owner. Make another member an owner first."
)


def _locked_membership(*, tenant: Tenant, membership_id: int) -> Membership:
    """The membership within the tenant, with every membership of the tenant locked (the owners
    are counted next). Raises Membership.DoesNotExist for another tenant's or a missing id."""
    memberships = list(Membership.objects.select_for_update().filter(tenant=tenant).order_by("pk"))
    for membership in memberships:
        if membership.pk == membership_id:
            return membership
    raise Membership.DoesNotExist(f"Member {membership_id} not found.")


def last_owner_problem(*, membership: Membership) -> str | None:
    """Why the member may not stop being an owner (they are the tenant's last active owner), or
    None. The services ask it under their lock; the admin's form asks it to show the reason on
    the field first."""
    if membership.role != Role.OWNER:
        return None
    owners = Membership.objects.filter(tenant_id=membership.tenant_id, role=Role.OWNER, user__is_active=True)
    if owners.exclude(pk=membership.pk).exists():
        return None
    return LAST_OWNER.format(user=membership.user, tenant=membership.tenant)


def _refuse_losing_the_last_owner(*, membership: Membership, tenant: Tenant, field: str | None) -> None:
    problem = last_owner_problem(membership=membership)
    if problem:
        raise InvalidRequest(problem, code="last_owner", field=field)


def member_role_change(*, tenant: Tenant, membership_id: int, role: str) -> Membership:
    """Give the member ``role``. Raises ValidationError on ``role`` for no role,
    ``InvalidRequest`` (400 ``last_owner``) when it would leave the tenant without an active owner,
    Membership.DoesNotExist for an id not of this tenant."""
    if role not in Role.values:
        raise ValidationError({"role": [f"Choose one of: {', '.join(Role.values)}."]})
    with transaction.atomic():
        membership = _locked_membership(tenant=tenant, membership_id=membership_id)
        if membership.role == role:
            return membership
        if role != Role.OWNER:
            _refuse_losing_the_last_owner(membership=membership, tenant=tenant, field="role")
        before = audit_trail.snapshot(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        audit_trail.record("member.role_change", membership, before=before)
    return membership


def member_remove(*, tenant: Tenant, membership_id: int) -> None:
    """Remove the member from the team: the membership goes, their keys are revoked and their
    sessions ended, in one transaction. Raises ``InvalidRequest`` (400 ``last_owner``) for the
    last active owner, Membership.DoesNotExist for an id not of this tenant."""
    with transaction.atomic():
        membership = _locked_membership(tenant=tenant, membership_id=membership_id)
        _refuse_losing_the_last_owner(membership=membership, tenant=tenant, field=None)
        user_id, before, membership_id = membership.user_id, audit_trail.snapshot(membership), membership.pk
        membership.delete()
        audit_trail.record("member.remove", membership, before=before, after=None, object_id=membership_id)
        api_keys_revoke_of_owner(owner_id=user_id)
        user_sessions_end(user_id=user_id)


def user_sessions_end(*, user_id: int) -> int:
    """End every session of the user (database sessions: each is read to find its user, as
    Django keeps no index of them). Returns how many ended."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
