"""The calendar's pages: the week, month and agenda of a project or of the tenant (``calendar``),
and the move of a pin to a time (``pin_move``), which a drag, a drop of a draft and the "move to"
control all post to.

A move is ``content.pin_schedule``, the very service of ``POST /api/pins/<id>/schedule/``
(``PinScheduleApi``), with its rule (``publishing.rules.schedule``): a time in the past or beyond
the window, a pin without a usable board or image, a pin that is published or publishing are
refused with the service's own words. The script asks for JSON (``Accept: application/json``) and
gets ``{"ok": false, "error": reason}`` to show while the pin snaps back; a plain form POST (no
script) is redirected back to the calendar with the reason or the success as a message. Both are
CSRF protected and read the pin within the member's tenant (another tenant's pin is a 404).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pinpublisher.errors import DomainError
from pinpublisher.timezones import format_when
from pinterest.selectors import boards_for_tenant, connections_for_tenant
from planner.access import tenant_member_required
from planner.calendar_query import CalendarQuery, parse_at
from planner.calendar_reads import calendar_read
from planner.reads import project_zone
from publishing import selectors
from publishing.models import Pin, PinStatus, Tenant
from publishing.selectors_calendar import CALENDAR_STATUSES
from publishing.services import content

VIEW_LINKS = (("week", "Week"), ("month", "Month"), ("agenda", "Agenda"))


@tenant_member_required
@require_GET
def calendar(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    projects = selectors.projects_for_tenant(tenant=tenant)
    connections = connections_for_tenant(tenant=tenant)
    boards = boards_for_tenant(tenant=tenant).prefetch_related(None)  # the picker needs no sections
    query = CalendarQuery.from_params(request.GET, projects=projects, boards=boards, connections=connections)
    read = calendar_read(tenant=tenant, query=query)
    if query.connection_id is not None:  # the board picker offers the account's boards
        boards = boards.filter(connection_id=query.connection_id)
    params = {"project": query.project.pk if query.project else "", "board": query.board_id or "",
              "account": query.connection_id or "", "status": query.status}
    return render(request, "planner/calendar.html", {
        "nav": "calendar",
        "tenant": tenant,
        "cal": read,
        "query": query,
        "projects": projects,
        "boards": boards.filter(is_archived=False) | boards.filter(pk__in=[query.board_id or 0]),
        "connections": connections,
        "statuses": [(value, PinStatus(value).label) for value in CALENDAR_STATUSES],
        "qs": urlencode({name: value for name, value in params.items() if value}),
        "view_links": VIEW_LINKS,
        "has_slots": query.project is not None and query.in_account and query.project.posting_slots.exists(),
        "here": request.get_full_path(),
        # A click on an empty time: the composer at that time (``?at=`` is appended), in the calendar's zone.
        "new_at": f"{reverse('planner:pin-new')}?project={query.zone_project.pk if query.zone_project else ''}&at=",
        "prev": query.step(-1).isoformat(),
        "next": query.step(1).isoformat(),
    })


@tenant_member_required
@require_POST
def pin_move(request: HttpRequest, pin_id: UUID, *, tenant: Tenant) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        pin = selectors.pin_for_tenant(tenant=tenant, pin_id=pin_id)
    except Pin.DoesNotExist as err:
        raise Http404("No such pin.") from err
    was_draft = pin.status == PinStatus.DRAFT
    try:
        at = parse_at(request.POST.get("at", ""), zone=project_zone(pin.project))
        pin = content.pin_schedule(pin=pin, scheduled_at=at)
    except Pin.DoesNotExist as err:  # deleted meanwhile
        raise Http404("No such pin.") from err
    except (ValidationError, DomainError) as err:
        reason = " ".join(err.messages) if isinstance(err, ValidationError) else str(err)
        status = 400 if isinstance(err, ValidationError) else getattr(err, "http_status", 409)
        return _answer(request, wants_json, ok=False, status=status, text=f"Not moved: {reason}")
    when = format_when(pin.scheduled_at, zone=project_zone(pin.project))
    text = f"Scheduled for {when}." if was_draft else f"Moved to {when}."
    if pin.status == PinStatus.IN_REVIEW:
        text = f"Sent for review: an owner approves it for {when} before it publishes."
    return _answer(request, wants_json, ok=True, status=200, text=text, pin=str(pin.pk),
                   at=pin.scheduled_at.isoformat() if pin.scheduled_at else None)


def _answer(request: HttpRequest, wants_json: bool, *, ok: bool, status: int, text: str, **extra: Any) -> HttpResponse:
    """JSON for the script (a success is also kept as a message, for the page it reloads); a
    redirect back with the message for a plain form."""
    if ok:
        messages.success(request, text)
    if wants_json:
        body = {"ok": ok, "message": text, **extra} if ok else {"ok": False, "error": text}
        return JsonResponse(body, status=status)
    if not ok:
        messages.error(request, text)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("planner:calendar")
    return HttpResponseRedirect(back)
