"""A project's page: what it is (zone, Pinterest account, weekly slots, pins) and its History
(the audit trail of the project, issue 29). Read-only: the project is changed in the API or admin."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from planner.access import tenant_member_required
from planner.history import history_rows
from publishing import selectors
from publishing.models import Tenant


@tenant_member_required
def project_page(request: HttpRequest, project_id: int, *, tenant: Tenant) -> HttpResponse:
    project = (
        selectors.projects_for_tenant(tenant=tenant)
        .select_related("pinterest_connection")
        .prefetch_related("posting_slots")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise Http404("No such project.")
    return render(request, "planner/project.html", {
        "project": project,
        "slots": sorted(project.posting_slots.all(), key=lambda slot: (slot.weekday, slot.local_time)),
        "pin_count": project.pins.count(),
        "history": history_rows(tenant=tenant, object_type="project", object_id=project.pk, zone=project.timezone),
        "nav": "pins",
    })
