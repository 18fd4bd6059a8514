"""The account pages (under /planner/account/): security (two-factor, the tenant's policy, log out
everywhere), the two-factor code at sign-in, and the tenant's invitations and locked members; the
invitation's accept page is public. Thin: read (``selectors``), parse (``forms``), call one service,
redirect with a message (post/redirect/get)."""

from __future__ import annotations

from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors
from accounts.conf import accounts_settings
from accounts.errors import InvitationUnusable, OwnerRequired, TwoFactorRefused
from accounts.forms import AcceptForm, CodeForm, InviteForm
from accounts.models import Invitation
from accounts.receivers import PENDING
from accounts.services import invitations, lockouts, sessions, two_factor
from publishing.models import Tenant

LOGIN = "planner:login"


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def _uid(request: HttpRequest) -> int:
    """The signed-in user's id (every view but the invitation's needs a sign-in)."""
    if request.user.pk is None:
        raise PermissionDenied("Log in first.")
    return int(request.user.pk)


def _tenant(request: HttpRequest) -> Tenant:
    membership = selectors.membership_of(user=request.user)
    if membership is None:
        raise PermissionDenied("This page is for the members of a tenant.")
    return membership.tenant


@login_required(login_url=LOGIN)
def security(request: HttpRequest) -> HttpResponse:
    membership = selectors.membership_of(user=request.user)
    device = selectors.two_factor_device(user_id=_uid(request))
    owner = membership is not None and membership.role == membership.Role.OWNER
    return render(request, "accounts/security.html", {
        "nav": "account", "membership": membership, "owner": owner,
        "two_factor_on": bool(device and device.confirmed_at),
        "policy": selectors.login_policy(tenant=membership.tenant) if membership else None,
        "required": selectors.owner_needs_two_factor(user_id=_uid(request)),
    })


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_confirm(user=request.user, code=form.cleaned_data["code"])
        except TwoFactorRefused as err:
            form.add_error("code", str(err))
        else:
            messages.success(request, "Two-factor is on. You will be asked for a code each time you log in.")
            return HttpResponseRedirect(_next(request, "accounts:security"))
    try:
        setup = two_factor.two_factor_begin(user=request.user)
    except TwoFactorRefused:
        return HttpResponseRedirect(reverse("accounts:security"))
    qr = segno.make(setup.uri, error="m").svg_inline(
        scale=4, dark="#111827", title="QR code for your authenticator app"
    )
    return render(request, "accounts/two_factor_setup.html", {
        "nav": "account", "form": form, "qr": mark_safe(qr),  # noqa: S308  (segno's own SVG of our URI)
        "secret": " ".join(setup.secret[i:i + 4] for i in range(0, len(setup.secret), 4)), "uri": setup.uri,
        "required": selectors.owner_needs_two_factor(user_id=_uid(request)), "next": request.GET.get("next", ""),
    })


@login_required(login_url=LOGIN)
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.two_factor_disable(user=request.user)
    except TwoFactorRefused as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "Two-factor is off.")
    return HttpResponseRedirect(reverse("accounts:security"))


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The login's second step. Wrong codes count as failed logins (django-axes), so guessing codes
    locks the account like guessing passwords; a locked account is logged out."""
    if not request.session.get(PENDING):
        return HttpResponseRedirect(_next(request, "planner:home"))
    credentials = {"username": request.user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.two_factor_check(user=request.user, code=form.cleaned_data["code"]):
            del request.session[PENDING]
            sessions.user_session_forget(session_key=request.session.session_key)
            request.session.cycle_key()  # a new key once fully signed in, as Django's login does
            sessions.user_session_record(user_id=_uid(request), session_key=request.session.session_key)
            return HttpResponseRedirect(_next(request, "planner:home"))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return get_lockout_response(request, None, credentials)
        form.add_error("code", "That code does not match. Enter the 6 digits your app shows now.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required(login_url=LOGIN)
@require_POST
def policy(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.login_policy_set(tenant=_tenant(request), actor=request.user,
                                    owners_need_two_factor=request.POST.get("owners_need_two_factor") == "on")
    except OwnerRequired as err:
        raise PermissionDenied(str(err)) from err
    messages.success(request, "The login policy is saved.")
    return HttpResponseRedirect(reverse("accounts:security"))


@login_required(login_url=LOGIN)
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Log out everywhere: every session of this user ends, this one too."""
    ended = sessions.user_sessions_end(user_id=_uid(request))
    logout(request)
    messages.success(request, f"You are logged out everywhere ({ended} session{'s' if ended != 1 else ''}).")
    return HttpResponseRedirect(reverse(LOGIN))


#: The planner's Team page, where the invitations' and lockouts' sections are shown (by URL: the
#: planner sits on top and nothing imports it). A refused invitation is shown here, on its own page.
TEAM_PAGE = "/planner/team/#invitations"


def team_context(request: HttpRequest, tenant: Tenant, form: InviteForm | None = None) -> dict[str, Any]:
    """What ``accounts/_invitations.html`` and ``accounts/_lockouts.html`` show: include them on any
    page (the planner's Team page) with this context."""
    owner = selectors.is_owner(user=request.user, tenant=tenant)
    return {
        "owner": owner, "invite_form": form or InviteForm(), "ttl_hours": accounts_settings.INVITATION_TTL_HOURS,
        "invitations": list(selectors.invitations_for_tenant(tenant=tenant)[:50]) if owner else [],
        "locked": selectors.locked_members(tenant=tenant) if owner else [],
    }


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def team_invitations(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = invitations.invitation_create(tenant=tenant, invited_by=request.user,
                                                 site_url=request.build_absolute_uri("/"), **form.cleaned_data)
        except OwnerRequired as err:
            raise PermissionDenied(str(err)) from err
        except ValidationError as err:
            for field, problems in err.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Invitation sent to {sent.invitation.email}.")
            return HttpResponseRedirect(TEAM_PAGE)
    if request.method == "GET":
        return HttpResponseRedirect(TEAM_PAGE)
    return render(request, "accounts/team.html", {"nav": "team", **team_context(request, tenant, form)})


@login_required(login_url=LOGIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitations.invitation_revoke(tenant=_tenant(request), actor=request.user,
                                                   invitation_id=invitation_id)
    except OwnerRequired as err:
        raise PermissionDenied(str(err)) from err
    except Invitation.DoesNotExist as err:
        raise Http404("No such invitation.") from err
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return HttpResponseRedirect(TEAM_PAGE)


@login_required(login_url=LOGIN)
@require_POST
def member_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        lockouts.member_unlock(tenant=_tenant(request), actor=request.user, user_id=user_id)
    except OwnerRequired as err:
        raise PermissionDenied(str(err)) from err
    except get_user_model().DoesNotExist as err:
        raise Http404("No such member.") from err
    messages.success(request, "The member can log in again.")
    return HttpResponseRedirect(TEAM_PAGE)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.invitation_for_token(token=token)
    except Invitation.DoesNotExist as err:
        raise Http404("This invitation link is not valid.") from err
    except InvitationUnusable as err:
        return render(request, "accounts/invitation_unusable.html", {"reason": str(err)}, status=410)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(token=token, username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"])
        except InvitationUnusable as err:
            return render(request, "accounts/invitation_unusable.html", {"reason": str(err)}, status=410)
        except ValidationError as err:
            for field, problems in err.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Welcome to {invitation.tenant.name}. Log in with your new username.")
            return HttpResponseRedirect(reverse(LOGIN))
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})
