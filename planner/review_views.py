"""The review list (issue 29): the tenant's pins waiting for an owner's approval, each with what was
asked, by whom and when; an owner approves (the asked action happens through the usual rules) or
sends it back to draft with a comment. Editors see the list and wait. Also the projects' setting
"pins need approval", which only owners change.

Thin, like the other pages: the tenant (``access``), the reads (``publishing.selectors``), the
writes (``publishing.approvals``, ``content.project_update``); a refusal is a message on the list,
the pin left as it was (post/redirect/get).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pinpublisher.errors import DomainError
from pinpublisher.timezones import format_when
from planner.access import tenant_member_required
from planner.reads import project_zone, thumbnail_url
from publishing import approvals, selectors
from publishing.models import Pin, ReviewAction, Tenant
from publishing.rules.approval import MSG_NOT_APPROVER, may_approve
from publishing.services import content
from publishing.services.content.review import COMMENT_MAX


def _asked(pin: Pin) -> str:
    """What the editor asked, as the list says it."""
    if pin.review_action == ReviewAction.SCHEDULE and pin.scheduled_at is not None:
        return f"Schedule for {format_when(pin.scheduled_at, zone=project_zone(pin.project))}"
    if pin.review_action == ReviewAction.QUEUE:
        return "Add to the queue (the next free slot when approved)"
    if pin.review_action == ReviewAction.PUBLISH:
        return "Publish now"
    return "Nothing asked"


@tenant_member_required
def review_list(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    pins = list(selectors.pins_in_review(tenant=tenant))
    cards = [{
        "pin": pin, "asked": _asked(pin), "thumbnail": thumbnail_url(pin),
        "asked_by": pin.review_requested_by.get_username() if pin.review_requested_by else "someone",
        "asked_at": format_when(pin.review_requested_at, zone=project_zone(pin.project))
        if pin.review_requested_at else "",
    } for pin in pins]
    return render(request, "planner/reviews.html", {
        "nav": "reviews", "cards": cards, "tenant": tenant, "comment_max": COMMENT_MAX,
        "approver": may_approve(person=request.user, tenant_id=tenant.pk),
        "sent_back": selectors.pins_sent_back(tenant=tenant),
        "projects": selectors.projects_for_tenant(tenant=tenant),
    })


def _pin_in_tenant(tenant: Tenant, pin_id: UUID) -> Pin:
    try:
        return selectors.pin_for_tenant(tenant=tenant, pin_id=pin_id)
    except Pin.DoesNotExist as err:
        raise Http404("No such pin.") from err


def _approver_only(request: HttpRequest, tenant: Tenant) -> None:
    """A 403 for anyone but an approver (an owner), as the role check of every other page."""
    if not may_approve(person=request.user, tenant_id=tenant.pk):
        raise PermissionDenied(MSG_NOT_APPROVER)


def _refused(request: HttpRequest, pin: Pin, err: Exception) -> None:
    said = " ".join(err.messages) if isinstance(err, ValidationError) else str(err)
    messages.error(request, f"{pin}: not done, it stays in review. {said}")


@require_POST
@tenant_member_required
def review_approve(request: HttpRequest, pin_id: UUID, *, tenant: Tenant) -> HttpResponse:
    _approver_only(request, tenant)
    pin = _pin_in_tenant(tenant, pin_id)
    try:
        done, result = approvals.pin_approve(pin=pin)
    except (ValidationError, DomainError) as err:
        _refused(request, pin, err)
    else:
        if result is not None and not result.success and result.batch_id is None:
            messages.error(request, f"{done}: approved, but Pinterest did not publish it: {result.error}")
        elif result is not None:
            said = "published on Pinterest" if result.success else "publishing in the background"
            messages.success(request, f"{done}: approved and {said}.")
        else:
            when = format_when(done.scheduled_at, zone=project_zone(done.project)) if done.scheduled_at else ""
            messages.success(request, f"{done}: approved; it publishes at {when}.")
    return HttpResponseRedirect(reverse("planner:reviews"))


@require_POST
@tenant_member_required
def review_reject(request: HttpRequest, pin_id: UUID, *, tenant: Tenant) -> HttpResponse:
    _approver_only(request, tenant)
    pin = _pin_in_tenant(tenant, pin_id)
    try:
        approvals.pin_reject(pin=pin, comment=request.POST.get("comment", ""))
    except ValidationError as err:
        messages.error(request, f"{pin}: not sent back. " + " ".join(err.messages))
    except DomainError as err:
        messages.error(request, f"{pin}: not sent back. {err}")
    else:
        messages.success(request, f"{pin}: sent back to draft with your comment.")
    return HttpResponseRedirect(reverse("planner:reviews"))


@require_POST
@tenant_member_required
def project_approval(request: HttpRequest, project_id: int, *, tenant: Tenant) -> HttpResponse:
    """Turn "pins need approval" on or off for a project (owners; ``content.project_update`` refuses others)."""
    _approver_only(request, tenant)
    project = selectors.projects_for_tenant(tenant=tenant).filter(pk=project_id).first()
    if project is None:
        raise Http404("No such project.")
    wanted = request.POST.get("requires_approval") == "on"
    try:
        content.project_update(project=project, data={"requires_approval": wanted})
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    else:
        state = "need an owner's approval" if wanted else "no longer need approval"
        messages.success(request, f"{project}: editors' pins {state}.")
    return HttpResponseRedirect(reverse("planner:reviews") + "#settings")
