"""The bulk pages: images dropped on the bulk page become drafts, and an action applied to the pins
selected on the list. Thin, as the other views: parse (``bulk_forms``), act (``bulk``), keep the
summary (one line per file or pin) in the session and redirect to the page that shows it
(post/redirect/get; ``summary_pop`` reads it once).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from planner import access, bulk, reads
from planner.access import tenant_member_required
from planner.bulk_forms import MAX_IMAGES, BulkActionForm, BulkUploadForm
from publishing import selectors
from publishing.models import Tenant
from publishing.roles import Action
from publishing.rules import MAX_IMAGE_BYTES, MIN_IMAGE_SIDE

SUMMARY_KEY = "planner-summary"
CHOSEN_KEY = "planner-bulk-chosen"


def summary_keep(request: HttpRequest, *, title: str, lines: list[bulk.Line]) -> None:
    request.session[SUMMARY_KEY] = {
        "title": title, "lines": [line.as_dict() for line in lines],
        "done": sum(line.done for line in lines), "refused": sum(not line.done for line in lines),
    }


def summary_pop(request: HttpRequest) -> dict[str, Any] | None:
    summary: dict[str, Any] | None = request.session.pop(SUMMARY_KEY, None)
    return summary


def bulk_action_form(tenant: Tenant, data: Any = None) -> BulkActionForm:
    choices = reads.composer_choices(tenant=tenant)
    return BulkActionForm(data, pins=selectors.pins_for_tenant(tenant=tenant), boards=choices.boards)


@tenant_member_required
@require_http_methods(["GET", "POST"])
def bulk_upload(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    choices = reads.composer_choices(tenant=tenant)
    if request.method == "POST":
        form = BulkUploadForm(request.POST, request.FILES, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            lines = bulk.drafts_from_images(tenant=tenant, project=data["project"], article=data["article"],
                                            board=data["board"], images=data["images"])
            request.session[CHOSEN_KEY] = {name: data[name].pk if data[name] else None
                                           for name in ("project", "article", "board")}
            made = sum(line.done for line in lines)
            summary_keep(request, title=f"{made} of {len(lines)} image{'s' if len(lines) != 1 else ''} made drafts",
                         lines=lines)
            return HttpResponseRedirect(reverse("planner:bulk"))
    else:
        # The project, article and board of the last drop, for the next one.
        initial = request.session.get(CHOSEN_KEY) or {"project": choices.projects.first()}
        form = BulkUploadForm(initial=initial, choices=choices)
    return render(request, "planner/bulk.html", {
        "form": form, "nav": "bulk", "summary": summary_pop(request), "max_images": MAX_IMAGES,
        "has_projects": choices.projects.exists(), "choices_json": choices.as_json(),
        "image_rules": {"max_mb": MAX_IMAGE_BYTES // (1024 * 1024), "min_side": MIN_IMAGE_SIDE},
    })


ACTION_TITLES = {"board": "Moved to a board", "queue": "Added to the queue", "schedule": "Scheduled, spaced apart",
                 "publish": "Published now", "delete": "Deleted"}


@tenant_member_required
@require_POST
def pins_apply(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    form = bulk_action_form(tenant, request.POST)
    back = reverse("planner:pins") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = "" if field in ("__all__", "pins", "action") else f"{form.fields[field].label}: "
            messages.error(request, "Nothing was done. " + label + " ".join(str(error) for error in errors))
        return HttpResponseRedirect(back)
    pins = form.selected(request.POST.getlist("pins"))
    action = form.cleaned_data["action"]
    if action == "board":
        lines = bulk.pins_move_to_board(pins=pins, board=form.cleaned_data["board"])
    elif action == "queue":
        lines = bulk.pins_queue(pins=pins)
    elif action == "schedule":
        start = form.start()
        assert start is not None  # the form requires it for this action
        lines = bulk.pins_schedule_spaced(pins=pins, start=start, step=form.interval())
    elif action == "publish":
        access.require(request, Action.PUBLISH)
        lines = bulk.pins_publish_now(tenant=tenant, pins=pins, user=request.user)
    else:
        lines = bulk.pins_delete(pins=pins)
    done = sum(line.done for line in lines)
    summary_keep(request, title=f"{ACTION_TITLES[action]}: {done} of {len(lines)} pin{'s' if len(lines) != 1 else ''}",
                 lines=lines)
    return HttpResponseRedirect(back)
