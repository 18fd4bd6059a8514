"""The planner's Autopilot page (``/planner/autopilot/``): each of the tenant's projects with its
rule, edited through ``autopilot_rule_update`` (the API's and the admin's service; its refusals
show on their fields) and what it has made so far.

It extends the planner's template and imports none of the planner (nothing imports autopilot, and
autopilot imports no interface): sign-in and the tenant are the planner's rule, read the same way
(``publishing``'s membership and roles: every member reads, a POST needs ``pins:write``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from autopilot.models import AutopilotMode, BoardChoice
from autopilot.rules import keyword_rules_from_text, keyword_rules_text
from autopilot.selectors import project_autopilot_rule, project_autopilot_summary, project_boards
from autopilot.services.rule import autopilot_rule_update
from designs.render import TEMPLATES
from publishing import selectors
from publishing.models import Membership
from publishing.roles import Action, may, refusal


def _member(request: HttpRequest) -> Membership:
    membership = Membership.objects.filter(user_id=request.user.pk or 0, user__is_active=True).select_related(
        "tenant").first()
    if membership is None:
        raise PermissionDenied("The planner is for the members of a tenant; operators use the admin.")
    if request.method == "POST" and not may(membership, Action.WRITE_CONTENT):
        raise PermissionDenied(refusal(membership.role, Action.WRITE_CONTENT))
    return membership


def _form_data(request: HttpRequest, boards: dict[str, int]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    post = request.POST
    data: dict[str, Any] = {name: post.get(name, "") for name in (
        "mode", "pins_per_article", "board_choice", "start_after_minutes", "interval_minutes",
        "utm_source", "utm_medium", "utm_campaign")}
    data["templates"] = post.getlist("templates")
    data["board_ids"] = [int(value) for value in post.getlist("board_ids") if value.isdigit()]
    rules, problems = keyword_rules_from_text(post.get("keyword_rules", ""), boards=boards)
    data["keyword_rules"] = rules
    return data, ({"keyword_rules": problems} if problems else {})


def _chosen(request: HttpRequest, rule: Any) -> dict[str, Any]:
    """The choices as the refused form sent them, so the page shows what the member picked."""
    post = request.POST
    return {"mode": post.get("mode", rule.mode), "board_choice": post.get("board_choice", rule.board_choice),
            "templates": post.getlist("templates"),
            "board_ids": [int(value) for value in post.getlist("board_ids") if value.isdigit()]}


@login_required(login_url="planner:login")
@require_http_methods(["GET", "POST"])
def autopilot_page(request: HttpRequest) -> HttpResponse:
    membership = _member(request)
    projects = list(selectors.projects_for_tenant(tenant=membership.tenant).order_by("name"))
    errors: dict[str, list[str]] = {}
    posted_project = None
    if request.method == "POST":
        project = get_object_or_404(selectors.projects_for_tenant(tenant=membership.tenant),
                                    pk=request.POST.get("project", "0") if request.POST.get(
                                        "project", "").isdigit() else 0)
        names = {board.name.casefold(): board.pk for board in project_boards(project=project)}
        data, errors = _form_data(request, names)
        if not errors:
            try:
                autopilot_rule_update(project=project, data=data)
                messages.success(request, f"Autopilot of {project.name} is saved.")
                return redirect(f"{request.path}#project-{project.pk}")
            except ValidationError as err:
                errors = err.message_dict
        posted_project = project.pk
    cards = []
    for project in projects:
        rule = project_autopilot_rule(project=project)
        project_board_list = list(project_boards(project=project))
        cards.append({
            "project": project, "rule": rule, "boards": project_board_list,
            "made": project_autopilot_summary(project=project),
            "keyword_text": keyword_rules_text(rule.keyword_rules, boards={b.pk: b.name for b in project_board_list}),
            "errors": errors if project.pk == posted_project else {},
            "posted": request.POST if project.pk == posted_project else None,
            "chosen": _chosen(request, rule) if project.pk == posted_project else {
                "mode": rule.mode, "board_choice": rule.board_choice, "templates": rule.templates,
                "board_ids": rule.board_ids},
        })
    can_write = may(membership, Action.WRITE_CONTENT)
    labels = [(name, name.replace("_", " ").capitalize()) for name in TEMPLATES]
    return render(request, "autopilot/settings.html", {
        "cards": cards, "nav": "autopilot", "tenant": membership.tenant, "can_write": can_write,
        "modes": AutopilotMode.choices, "board_choices": BoardChoice.choices, "templates": labels,
    }, status=400 if errors else 200)
