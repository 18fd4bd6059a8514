"""The planner's pages: the pins list and the composer (new and edit), and the failed pin's Retry.

Thin: resolve the tenant (``access``), read (``reads``), parse (``forms``), act (``actions``),
render. A refusal re-renders the composer with the service's reasons on the fields it names, and
nothing written; a success redirects to the pin's page with a message (post/redirect/get).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pinpublisher.errors import DomainError
from pinterest.limits import CAROUSEL_MAX, TEXT_LIMITS
from planner import access, actions, analytics_reads, calendar_query, reads
from planner.access import member_tenant, tenant_member_required
from planner.forms import ACTIONS, CAROUSEL_ORDER, ComposerForm, PinListFilter, carousel_name
from planner.history import history_rows
from planner.views_bulk import bulk_action_form, summary_pop
from publishing import selectors
from publishing.models import Pin, PinStatus, Tenant
from publishing.roles import Action
from publishing.rules import IMAGE_FORMATS, MAX_IMAGE_BYTES, MIN_IMAGE_SIDE


def _pin_or_404(tenant: Tenant, pin_id: UUID) -> Pin:
    try:
        pin = selectors.pin_for_tenant(tenant=tenant, pin_id=pin_id)
    except Pin.DoesNotExist as err:
        raise Http404("No such pin.") from err
    return Pin.objects.select_related("project", "article", "board", "board_section").get(pk=pin.pk)


def home(request: HttpRequest) -> HttpResponse:
    """Where the service's root leads: the planner's pins for a member (or its login), the admin for
    a signed-in user of no tenant (an operator)."""
    if request.user.is_authenticated:
        try:
            member_tenant(request)
        except PermissionDenied:
            if request.user.is_staff:
                return HttpResponseRedirect(reverse("admin:index"))
    return HttpResponseRedirect(reverse("planner:pins"))


@tenant_member_required
def pin_list(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    filters = PinListFilter(request.GET or None, projects=selectors.projects_for_tenant(tenant=tenant))
    project_id = status = project = None
    if filters.is_bound and filters.is_valid():
        project = filters.cleaned_data.get("project")
        project_id, status = (project.pk if project else None), (filters.cleaned_data.get("status") or None)
    page = Paginator(reads.pins_page(tenant=tenant, project_id=project_id, status=status), reads.PAGE_SIZE)
    pins = page.get_page(request.GET.get("page"))
    cards = [
        {"pin": pin, "thumbnail": reads.thumbnail_url(pin), "tone": reads.STATUS_TONES.get(pin.status, "neutral"),
         "zone": reads.project_zone(pin.project), "label": reads.status_label(pin)}
        for pin in pins
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "planner/pin_list.html", {
        "tenant": tenant, "filters": filters, "cards": cards, "page": pins, "query": query.urlencode(),
        "nav": "pins", "bulk": bulk_action_form(tenant), "summary": summary_pop(request),
        "here": request.GET.urlencode(),
        "week": analytics_reads.last_week(tenant=tenant, project=project, now=timezone.now()),
    })


@tenant_member_required
@require_http_methods(["GET", "POST"])
def composer(request: HttpRequest, pin_id: UUID | None = None, *, tenant: Tenant) -> HttpResponse:
    pin = _pin_or_404(tenant, pin_id) if pin_id is not None else None
    choices = reads.composer_choices(tenant=tenant, pin=pin)
    if request.method == "POST" and pin is not None and not pin.is_editable:
        messages.error(request, f"This pin is {pin.get_status_display().lower()}: it can no longer be changed.")
        return HttpResponseRedirect(reverse("planner:pin", args=[pin.pk]))
    if request.method == "POST":
        form = ComposerForm(request.POST, request.FILES, choices=choices, pin=pin)
        action = request.POST.get("action", "draft")
        if action not in ACTIONS:
            form.add_error(None, f"Unknown action {action!r}.")
        elif form.is_valid():
            if action == "publish":
                access.require(request, Action.PUBLISH)
            try:
                outcome = actions.compose(form=form, tenant=tenant, action=action, user=request.user)
            except ValidationError as err:
                if hasattr(err, "error_dict"):
                    form.show_refusal(err)
                elif not form.errors:
                    form.add_error(None, err)
            except DomainError as err:  # a conflict, or the publish rule (naming its field)
                field = getattr(err, "field", None)
                form.add_error(field if field in form.fields else None, str(err))
            except ObjectDoesNotExist:
                form.add_error(None, "The pin was deleted meanwhile.")
            else:
                return _done(request, outcome)
    elif pin is None:
        form = ComposerForm(initial=calendar_query.composer_initial(request.GET, projects=choices.projects),
                            choices=choices)
    else:
        form = ComposerForm(choices=choices, pin=pin)
    if not request.permits.write:  # type: ignore[attr-defined]
        for field in form.fields.values():  # a viewer reads the pin: nothing to type into
            field.disabled = True
    context = _composer_context(form, pin, choices)
    context["spark"] = analytics_reads.pin_sparkline(pin=pin, now=timezone.now()) if pin is not None else None
    if pin is not None:  # who changed the pin, when, and what (the audit trail, issue 29)
        context["history"] = history_rows(tenant=tenant, object_type="pin", object_id=pin.pk, zone=pin.project.timezone)
    # A browser never sends a file again: say so when a refused request carried some.
    context["files_dropped"] = bool(request.FILES) and bool(form.errors)
    return render(request, "planner/composer.html", context)


def _done(request: HttpRequest, outcome: actions.Outcome) -> HttpResponse:
    for level, text in outcome.messages:
        messages.add_message(request, getattr(messages, level.upper()), text)
    return HttpResponseRedirect(reverse("planner:pin", args=[outcome.pin.pk]))


@tenant_member_required
@require_POST
def pin_retry(request: HttpRequest, pin_id: UUID, *, tenant: Tenant) -> HttpResponse:
    pin = _pin_or_404(tenant, pin_id)
    try:
        outcome = actions.retry(pin=pin)
    except ValidationError as err:
        messages.error(request, "Not retried: " + " ".join(err.messages))
        return HttpResponseRedirect(reverse("planner:pin", args=[pin.pk]))
    return _done(request, outcome)


def _composer_context(form: ComposerForm, pin: Pin | None, choices: reads.ComposerChoices) -> dict[str, Any]:
    carousel_rows = []
    items = {item.position: item for item in pin.carousel_items.all()} if pin is not None else {}
    for index in range(CAROUSEL_MAX):
        item = items.get(index)
        carousel_rows.append({
            "index": index,
            "fields": [form[carousel_name(index, name)] for name in ("image", "image_url", "title", "description",
                                                                      "link")],
            "id": form[carousel_name(index, "id")],
            "remove": form[carousel_name(index, "remove")],
            "thumbnail": (item.image.url if item.image else item.image_url) if item else "",
        })
    project = pin.project if pin is not None else choices.projects.first()
    return {
        "form": form,
        "pin": pin,
        "editable": pin is None or pin.is_editable,
        "failed": pin is not None and pin.status == PinStatus.ERROR,
        "carousel_rows": carousel_rows,
        "carousel_order": form[CAROUSEL_ORDER],
        "thumbnail": reads.thumbnail_url(pin) if pin is not None else "",
        "video_url": pin.video.url if pin is not None and pin.video else "",
        "tone": reads.STATUS_TONES.get(pin.status, "neutral") if pin is not None else "neutral",
        "status_label": reads.status_label(pin) if pin is not None else "",
        "zone": reads.zone_label(project) if project is not None else "UTC",
        "queue_slot": reads.queue_slot_label(project=project, pin=pin) if project is not None else "",
        "link_domain": reads.link_domain(pin.destination) if pin is not None else "",
        "link_help": (f"Leads to {pin.destination}. " if pin is not None else "") + "Blank: the article's URL.",
        "choices_json": choices.as_json(),
        "limits": TEXT_LIMITS,
        "image_rules": {"formats": [name.lower() for name in IMAGE_FORMATS], "max_bytes": MAX_IMAGE_BYTES,
                        "min_side": MIN_IMAGE_SIDE},
        "project_zone": reads.project_zone(pin.project) if pin is not None else None,
        "has_projects": project is not None,
    }
