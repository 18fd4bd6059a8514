"""The planner's analytics page (``/planner/analytics/?project=&days=30|90``) and its "Sync now".

Thin: resolve the tenant (``access``), the project within it (another tenant's is a 404, as a
missing one), read (``analytics_reads``), render. "Sync now" queues the sync of the project's
Pinterest account through the very function ``POST /api/connections/{id}/sync-analytics/`` calls
(``analytics.services.lease.connection_sync_request``), refuses an inactive account or one being
synced with the API's words,
and redirects back to the page with a message (post/redirect/get). "Use these as the weekly slots"
makes the suggested posting times the project's slots through publishing's slots service, the one
the API's slots endpoint calls.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from analytics.posting_times import NotEnoughData, posting_times
from analytics.selectors import connection_analytics_state
from analytics.services.lease import connection_sync_request
from feeds.selectors import project_feed_health
from pinpublisher.errors import Conflict
from planner.access import tenant_member_required
from planner.analytics_reads import RANGES, posting_card, project_page, slot_label
from planner.reads import zone_label
from publishing import selectors
from publishing.models import BlogProject, Tenant
from publishing.roles import Action
from publishing.services.queue_slots import project_slots_replace


def _project(tenant: Tenant, value: str | None) -> BlogProject | None:
    """The tenant's project named by ``value`` (its first without one); 404 for any other id."""
    projects = selectors.projects_for_tenant(tenant=tenant).select_related("pinterest_connection")
    if not value:
        return projects.first()
    try:
        return projects.get(pk=int(value))
    except (ValueError, BlogProject.DoesNotExist) as err:
        raise Http404("No such project.") from err


@tenant_member_required
@require_GET
def analytics(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    project = _project(tenant, request.GET.get("project"))
    days = int(request.GET["days"]) if request.GET.get("days") in {str(n) for n in RANGES} else RANGES[0]
    connection = project.pinterest_connection if project is not None else None
    state = connection_analytics_state(connection_id=connection.pk) if connection is not None else None
    return render(request, "planner/analytics.html", {
        "nav": "analytics",
        "tenant": tenant,
        "project": project,
        "projects": selectors.projects_for_tenant(tenant=tenant),
        "ranges": RANGES,
        "days": days,
        "page": project_page(project=project, days=days, now=timezone.now()) if project is not None else None,
        "posting": posting_card(project=project) if project is not None else None,
        "zone": zone_label(project) if project is not None else "",
        "connection": connection,
        "sync_state": state,
        # Where the project's articles come from, and why not when a feed fails (issue 28).
        "feed_health": project_feed_health(project_id=project.pk) if project is not None else None,
    })


@tenant_member_required(writes=Action.MANAGE_CONNECTIONS)
@require_POST
def sync_now(request: HttpRequest, project_id: int, *, tenant: Tenant) -> HttpResponse:
    project = _project(tenant, str(project_id))
    if project is None:  # pragma: no cover (an id was given: a project, or a 404 above)
        raise Http404("No such project.")
    connection = project.pinterest_connection
    if connection is None:
        messages.error(request, "Not synced: the project has no Pinterest account.")
    else:
        try:
            connection_sync_request(connection=connection)
        except Conflict as err:  # not connected, or already syncing
            messages.error(request, f"Not synced: {err}")
        else:
            messages.success(request, f"Sync of {connection} queued: the numbers appear once it has run.")
    return _back(request, project)


@tenant_member_required
@require_POST
def use_posting_times(request: HttpRequest, project_id: int, *, tenant: Tenant) -> HttpResponse:
    """The suggested posting times become the project's weekly slots, through the slots service
    (as ``POST /api/projects/{id}/posting-times/apply/``); refused, with the evidence, without one."""
    project = _project(tenant, str(project_id))
    if project is None:  # pragma: no cover (an id was given: a project, or a 404 above)
        raise Http404("No such project.")
    try:
        slots = posting_times(project=project).slots_to_apply()
    except NotEnoughData as err:
        messages.error(request, f"Weekly slots unchanged. {err}")
    else:
        project_slots_replace(project=project, slots=slots)
        shown = ", ".join(slot_label(weekday, at.hour) for weekday, at in sorted(slots))
        messages.success(request, f"The weekly slots of {project.name} are now {shown}; the queue uses them.")
    return _back(request, project)


def _back(request: HttpRequest, project: BlogProject) -> HttpResponse:
    """The page again, with the project and the range it was posted from."""
    days = request.POST.get("days") if request.POST.get("days") in {str(n) for n in RANGES} else RANGES[0]
    return HttpResponseRedirect(f"{reverse('planner:analytics')}?{urlencode({'project': project.pk, 'days': days})}")
