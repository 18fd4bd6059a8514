"""Recipes (see ``recipes``) of the team's and the sign-in's writes: members, invitations, unlocks,
sessions, two-factor and the login policy. Secrets (an invitation's token hash, a two-factor
secret) must read only "(secret)" / "(changed)"."""

import pyotp

from publishing.models import Membership
from tests.audit.expect import ANY, Expect
from tests.factories import make_api_key, make_tenant, make_user

SECRET_CHANGED = ["(secret)", "(changed)"]
NOT_OWNER = next(role for role in Membership.Role.values if role != Membership.Role.OWNER)


def _team():
    """A tenant with two owners (so one may stop being an owner)."""
    tenant = make_tenant()
    make_user(tenant=tenant)
    return tenant, make_user(tenant=tenant).membership


def member_role_change(request):
    from publishing.services.members import member_role_change

    tenant, membership = _team()
    member_role_change(tenant=tenant, membership_id=membership.pk, role=NOT_OWNER)
    return Expect("member.role_change", membership.pk, {"role": [Membership.Role.OWNER.value, NOT_OWNER]})


def member_remove(request):
    from publishing.services.members import member_remove

    tenant, membership = _team()
    member_remove(tenant=tenant, membership_id=membership.pk)
    return Expect("member.remove", membership.pk, {"role": [Membership.Role.OWNER.value, None],
                                                   "user": [membership.user_id, None]})


def api_keys_revoke_of_owner(request):
    from apikeys.services import api_keys_revoke_of_owner

    created = make_api_key(make_user())
    api_keys_revoke_of_owner(owner_id=created.api_key.owner_id)
    return Expect("api_key.revoke", created.api_key.pk, {"revoked_at": [None, ANY]})


def _invite(email="new.person@example.com"):
    from accounts.services.invitations import invitation_create

    owner = make_user()
    return invitation_create(tenant=owner.membership.tenant, invited_by=owner, email=email, role=NOT_OWNER,
                             site_url="https://pins.example.com")


def invitation_create(request):
    sent = _invite()
    return Expect("invitation.create", sent.invitation.pk, {"email": [None, "new.person@example.com"],
                                                            "role": [None, NOT_OWNER],
                                                            "token_hash": SECRET_CHANGED})


def invitation_accept(request):
    from accounts.services.invitations import invitation_accept

    sent = _invite()
    invitation_accept(token=sent.token, username="newperson", password="a long passphrase 42")
    return Expect("invitation.accept", sent.invitation.pk, {"used_at": [None, ANY], "accepted_user": [None, ANY]},
                  actor=("person", "newperson"))  # the invitee, not who the request was


def invitation_revoke(request):
    from accounts.services.invitations import invitation_revoke

    sent = _invite()
    invitation_revoke(tenant=sent.invitation.tenant, actor=sent.invitation.invited_by,
                      invitation_id=sent.invitation.pk)
    return Expect("invitation.revoke", sent.invitation.pk, {"revoked_at": [None, ANY]})


def member_unlock(request):
    from axes.models import AccessAttempt

    from accounts.services.lockouts import member_unlock

    tenant, membership = _team()
    AccessAttempt.objects.create(username=membership.user.get_username(), ip_address="203.0.113.9",
                                 user_agent="test", http_accept="*/*", path_info="/admin/login/",
                                 failures_since_start=5)
    member_unlock(tenant=tenant, actor=membership.user, user_id=membership.user_id)
    return Expect("member.unlock", membership.pk, {"failed_logins_cleared": [None, 1]})


def user_sessions_end(request):
    from accounts.models import UserSession
    from accounts.services.sessions import user_sessions_end

    user = make_user()
    UserSession.objects.create(user=user, session_key="k" * 32)
    user_sessions_end(user_id=user.pk)
    return Expect("user.sessions_end", user.pk, {"sessions_ended": [None, 1]})


def _two_factor_on(user):
    from accounts.services.two_factor import two_factor_begin, two_factor_confirm

    setup = two_factor_begin(user=user)
    two_factor_confirm(user=user, code=pyotp.TOTP(setup.secret).now())
    return setup


def two_factor_confirm(request):
    user = make_user()
    _two_factor_on(user)
    return Expect("user.two_factor_on", user.pk, {"confirmed_at": [None, ANY], "last_step": [0, ANY]})


def two_factor_disable(request):
    from accounts.services.two_factor import two_factor_disable

    user = make_user()
    _two_factor_on(user)
    two_factor_disable(user=user)
    return Expect("user.two_factor_off", user.pk, {"secret": SECRET_CHANGED, "confirmed_at": [ANY, None]})


def two_factor_turn_off(request):
    from accounts.services.two_factor import two_factor_turn_off

    user = make_user()
    device = _two_factor_on(user).device
    two_factor_turn_off(device_ids=[device.pk])
    return Expect("user.two_factor_off", user.pk, {"secret": SECRET_CHANGED})


def login_policy_set(request):
    from accounts.services.two_factor import login_policy_set

    owner = make_user()
    login_policy_set(tenant=owner.membership.tenant, actor=owner, owners_need_two_factor=True)
    return Expect("tenant.login_policy", owner.membership.tenant_id, {"owners_need_two_factor": [False, True]})


def two_factor_secrets_rotate_keys(request):
    from accounts.services.two_factor import secrets_rotate_keys
    from tests.audit.recipes import _rotating

    settings, keys = _rotating(request)
    _two_factor_on(make_user())
    settings.PINPUBLISHER_TOKEN_KEYS = keys
    secrets_rotate_keys()
    return Expect("two_factor_secrets.rotate_keys", "-", {"rows_reencrypted": [None, ANY]})


RECIPES = {
    "publishing.services.members.member_role_change": member_role_change,
    "publishing.services.members.member_remove": member_remove,
    "apikeys.services.api_keys_revoke_of_owner": api_keys_revoke_of_owner,
    "accounts.services.invitations.invitation_create": invitation_create,
    "accounts.services.invitations.invitation_accept": invitation_accept,
    "accounts.services.invitations.invitation_revoke": invitation_revoke,
    "accounts.services.lockouts.member_unlock": member_unlock,
    "accounts.services.sessions.user_sessions_end": user_sessions_end,
    "accounts.services.two_factor.two_factor_confirm": two_factor_confirm,
    "accounts.services.two_factor.two_factor_disable": two_factor_disable,
    "accounts.services.two_factor.two_factor_turn_off": two_factor_turn_off,
    "accounts.services.two_factor.login_policy_set": login_policy_set,
    "accounts.services.two_factor.secrets_rotate_keys": two_factor_secrets_rotate_keys,
}
