"""The admin's pages of autopilot: the projects' rules, written through ``autopilot_rule_update``
as the API and the planner write them (publishing's ``ServiceForm``), and the runs, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from autopilot.models import AutopilotRule, AutopilotRun
from autopilot.rules import RULE_FIELDS
from autopilot.services.rule import autopilot_rule_delete, autopilot_rule_update
from pinpublisher.admin_scoping import TenantScopedAdmin
from publishing.admin.service_forms import ServiceForm, ServiceFormAdmin


class AutopilotRuleForm(ServiceForm):
    class Meta:
        model = AutopilotRule
        fields = ["project", *RULE_FIELDS]

    def write(self) -> Model:
        project = self.cleaned_data["project"] if self.adding else self.instance.project
        data = {name: self.cleaned_data[name] for name in RULE_FIELDS if self.adding or name in self.changed_data}
        return autopilot_rule_update(project=project, data=data)


@admin.register(AutopilotRule)
class AutopilotRuleAdmin(ServiceFormAdmin):
    form = AutopilotRuleForm
    tenant_path = "project__tenant_id"
    list_display = ("project", "mode", "pins_per_article", "board_choice", "interval_minutes", "active_since")
    list_select_related = ("project",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("project", "active_since") if obj is not None else ("active_since",)

    def delete_object(self, obj: Any) -> None:
        autopilot_rule_delete(rule=obj)


@admin.register(AutopilotRun)
class AutopilotRunAdmin(TenantScopedAdmin):
    tenant_path = "article__project__tenant_id"
    list_display = ("article", "state", "pins_made", "attempts", "created_at", "finished_at")
    list_filter = ("state",)
    list_select_related = ("article",)
    readonly_fields = ("article", "state", "attempts", "lease_until", "pins_made", "detail", "created_at",
                       "finished_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
