"""REST endpoint of a project's autopilot rule (issue 28), tenant-scoped:

``GET /api/projects/{id}/autopilot/`` (``read``) and ``PATCH`` (``pins:write``): the rule, changed
through ``autopilot_rule_update`` (a 400 names each refused field).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from autopilot.models import AutopilotMode, AutopilotRule, BoardChoice
from autopilot.rules import MAX_PINS_PER_ARTICLE
from autopilot.selectors import project_autopilot_rule, project_autopilot_summary
from autopilot.services.rule import autopilot_rule_update
from designs.render import TEMPLATES
from pinpublisher.api import TenantApi, error_responses, get_or_404
from pinpublisher.api.parsing import unexpected_fields
from publishing import selectors
from publishing.models import BlogProject


class KeywordRuleSerializer(serializers.Serializer):
    keywords = serializers.ListField(child=serializers.CharField(), help_text="Words or phrases, any case.")
    board_id = serializers.IntegerField()


class AutopilotRuleSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    mode = serializers.ChoiceField(choices=AutopilotMode.choices)
    templates = serializers.ListField(child=serializers.CharField(),
                                      help_text=f"In turn; empty: every template. Each one of: {', '.join(TEMPLATES)}.")
    pins_per_article = serializers.IntegerField(min_value=1, max_value=MAX_PINS_PER_ARTICLE)
    board_choice = serializers.ChoiceField(choices=BoardChoice.choices)
    board_ids = serializers.ListField(child=serializers.IntegerField(), help_text="For board_choice list (and "
                                      "keywords' fallback).")
    keyword_rules = KeywordRuleSerializer(many=True, help_text="For board_choice keywords: first match first.")
    start_after_minutes = serializers.IntegerField(help_text="The first pin's delay after the article is seen.")
    interval_minutes = serializers.IntegerField(help_text="Between two pins of one article (queue mode).")
    utm_source = serializers.CharField(allow_blank=True)
    utm_medium = serializers.CharField(allow_blank=True)
    utm_campaign = serializers.CharField(allow_blank=True)
    active_since = serializers.DateTimeField(read_only=True, allow_null=True)
    made = serializers.SerializerMethodField(help_text="runs, runs_done, pins (designed) and published so far.")

    def get_made(self, rule: AutopilotRule) -> dict[str, int]:
        return project_autopilot_summary(project=rule.project)


class AutopilotRuleApi(TenantApi):
    write_scope = Scope.PINS_WRITE

    def project(self, project_id: int) -> BlogProject:
        return get_or_404(selectors.projects_for_tenant(tenant=self.tenant), label="Project", pk=project_id)

    @extend_schema(operation_id="projects_autopilot", tags=["autopilot"], summary="The project's autopilot rule",
                   responses={200: AutopilotRuleSerializer, **error_responses(404)})
    def get(self, request: Request, project_id: int) -> Response:
        return Response(AutopilotRuleSerializer(project_autopilot_rule(project=self.project(project_id))).data)

    @extend_schema(operation_id="projects_autopilot_update", tags=["autopilot"],
                   summary="Change the project's autopilot rule", request=AutopilotRuleSerializer(partial=True),
                   responses={200: AutopilotRuleSerializer, **error_responses(400, 404, 415)})
    def patch(self, request: Request, project_id: int) -> Response:
        project = self.project(project_id)
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Give a JSON object of the rule's fields."]})
        # A key the rule does not take, in the words every endpoint uses (read-only, or unknown with
        # the closest field); then the service checks every field (the one parser for the API, the
        # admin and the planner).
        unexpected = unexpected_fields(AutopilotRuleSerializer, request.data)
        if unexpected:
            raise serializers.ValidationError({name: [problem] for name, problem in unexpected.items()})
        rule: AutopilotRule = autopilot_rule_update(project=project, data=dict(request.data))
        return Response(AutopilotRuleSerializer(rule).data)
