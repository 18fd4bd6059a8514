"""Invitations: an owner invites a person by email with a role; the link works once, until it expires.

- ``invitation_create``: owners only. A random token goes in the emailed link and only its SHA-256
  hash is stored (the table never holds a usable link). An earlier pending invitation of the same
  address to the same tenant is revoked: the newest link is the one that works.
- ``invitation_accept``: the invitee picks a username and a password (Django's password validators,
  ``AUTH_PASSWORD_VALIDATORS``, judge it against the new user); the user and the membership are
  created and the invitation marked used in one transaction holding its row, so two clicks of one
  link cannot both create a user.
- ``invitation_revoke``: owners only; an accepted invitation stays accepted.

Expiry: ``INVITATION_TTL_HOURS`` (default 72) from the moment it is sent.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import selectors
from accounts.conf import accounts_settings
from accounts.errors import InvitationUnusable, OwnerRequired
from accounts.models import Invitation
from audit import record as audit_trail
from audit.actors import acting_as_person
from publishing.models import Membership, Tenant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationSent:
    invitation: Invitation
    #: The link's token: in the email only, never stored.
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_path(token: str) -> str:
    return reverse("accounts:invitation-accept", kwargs={"token": token})


def invitation_create(*, tenant: Tenant, invited_by: Any, email: str, role: str, site_url: str) -> InvitationSent:
    """Invite ``email`` to ``tenant`` as ``role`` and email the link (``site_url`` + its path).

    Raises ``OwnerRequired`` unless ``invited_by`` owns the tenant; ``ValidationError`` naming
    ``email`` (not an address, or already a member) or ``role`` (not a role)."""
    if not selectors.is_owner(user=invited_by, tenant=tenant):
        raise OwnerRequired("Only an owner can invite people.")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": ["Enter a valid email address."]}) from None
    if role not in Membership.Role.values:
        raise ValidationError({"role": [f"Choose one of: {', '.join(Membership.Role.values)}."]})
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, user__is_active=True).exists():
        raise ValidationError({"email": ["This person is already a member."]})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        pending = Invitation.objects.filter(
            tenant=tenant, email__iexact=email, used_at__isnull=True, revoked_at__isnull=True
        )
        withdrawn = list(pending.select_for_update())
        pending.update(revoked_at=now)
        for earlier in withdrawn:  # the newest link is the one that works
            audit_trail.record("invitation.revoke", earlier, changes={"revoked_at": [None, now.isoformat()]})
        invitation = Invitation.objects.create(
            tenant=tenant, email=email, role=role, token_hash=token_hash(token), invited_by=invited_by,
            created_at=now, expires_at=now + timedelta(hours=accounts_settings.INVITATION_TTL_HOURS),
        )
        audit_trail.record("invitation.create", invitation)
        link = site_url.rstrip("/") + accept_path(token)
        transaction.on_commit(lambda: _send(invitation, link))
    return InvitationSent(invitation=invitation, token=token)


def _send(invitation: Invitation, link: str) -> None:
    """The invitation's email, after its commit. A mail server that refuses or is unreachable
    leaves the invitation as it is (listed, revocable, sent again by inviting the address again)
    and is logged: it never turns the owner's request into a server error."""
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An owner"
    try:
        _send_mail(invitation, link, inviter)
    except ImproperlyConfigured:
        raise
    except Exception:
        # Backends raise their own types (smtplib's, socket errors, an ESP's API error).
        logger.exception("Invitation %s: its email could not be sent", invitation.pk)


def _send_mail(invitation: Invitation, link: str, inviter: str) -> None:
    send_mail(
        subject=f"You are invited to {invitation.tenant.name} on pinpublisher",
        message=(
            f"{inviter} invited you to join {invitation.tenant.name} as {invitation.get_role_display().lower()}.\n\n"
            f"Choose a username and a password here:\n{link}\n\n"
            f"The link works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC.\n"
        ),
        from_email=accounts_settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link's token opens. Raises ``Invitation.DoesNotExist`` for an unknown token,
    ``InvitationUnusable`` (saying why) for a used, revoked or expired one."""
    invitation = Invitation.objects.select_related("tenant").get(token_hash=token_hash(token))
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation) -> None:
    if invitation.used_at:
        raise InvitationUnusable("This invitation has already been used. Log in instead.")
    if invitation.revoked_at:
        raise InvitationUnusable("This invitation was withdrawn. Ask the owner for a new one.")
    if invitation.is_expired():
        raise InvitationUnusable("This invitation has expired. Ask the owner for a new one.")


def invitation_accept(*, token: str, username: str, password: str) -> Any:
    """Create the invitee's user and membership; returns the user.

    Raises ``Invitation.DoesNotExist``, ``InvitationUnusable`` as ``invitation_for_token``, and
    ``ValidationError`` naming ``username`` (taken or invalid) or ``password`` (each validator's
    message)."""
    user_model = get_user_model()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("tenant").get(token_hash=token_hash(token))
        _check_usable(invitation)
        user = user_model(username=username.strip(), email=invitation.email)
        errors: dict[str, list[str]] = {}
        try:
            user.clean_fields(exclude=["password", "first_name", "last_name", "email"])
        except ValidationError as err:
            errors.update({name: list(messages) for name, messages in err.message_dict.items()})
        if not errors.get("username") and user_model.objects.filter(username__iexact=user.username).exists():
            errors["username"] = ["This username is taken. Choose another."]
        try:
            password_validation.validate_password(password, user=user)
        except ValidationError as err:
            errors["password"] = list(err.messages)
        if errors:
            raise ValidationError(errors)
        user.set_password(password)
        user.save()
        membership = Membership.objects.create(user=user, tenant=invitation.tenant, role=invitation.role)
        before = audit_trail.snapshot(invitation)
        invitation.used_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["used_at", "accepted_user"])
        with acting_as_person(user):  # the invitee, whom this request is not signed in as yet
            audit_trail.record("invitation.accept", invitation, before=before)
            audit_trail.record("member.create", membership)
    return user


def invitation_revoke(*, tenant: Tenant, actor: Any, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation (its link stops working); a used or already revoked one is
    returned unchanged. Raises ``OwnerRequired``, and ``Invitation.DoesNotExist`` for another
    tenant's."""
    if not selectors.is_owner(user=actor, tenant=tenant):
        raise OwnerRequired("Only an owner can withdraw an invitation.")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(tenant=tenant, pk=invitation_id)
        if invitation.used_at is None and invitation.revoked_at is None:
            before = audit_trail.snapshot(invitation)
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit_trail.record("invitation.revoke", invitation, before=before)
    return invitation
