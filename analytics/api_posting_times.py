"""REST endpoints of posting times from the account's own results (issue 27), tenant-scoped:

- ``GET /api/projects/{id}/posting-times/`` (``read``): the cells and the suggestion, with evidence.
- ``POST /api/projects/{id}/posting-times/apply/`` (``pins:write``, as the slots endpoint): the
  suggestion becomes the project's weekly slots, through publishing's slots service (the one the
  slots endpoint calls); 409 ``not_enough_data`` when there is no suggestion.

The only module of analytics that calls a publishing service (the import contract
``analytics-reads-publishing`` names this one exception): it is an interface, as the planner is.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.posting_times import PostingCell, PostingTimes, posting_times
from analytics.selectors import projects_for_tenant
from apikeys.scopes import Scope
from pinpublisher.api import TenantApi, error_responses, get_or_404, no_input
from publishing.models import BlogProject, Weekday
from publishing.services.queue_slots import project_slots_replace


class PostingCellSerializer(serializers.Serializer):
    weekday = serializers.CharField(help_text="monday ... sunday, in the project's zone.")
    time = serializers.CharField(help_text="The hour of publication, HH:00 in the project's zone.")
    pins = serializers.IntegerField(help_text="Pins with metrics published in this hour: the evidence.")
    mean_outbound_clicks = serializers.FloatField(help_text="Outbound clicks per pin (all stored days).")
    mean_saves = serializers.FloatField(help_text="Saves per pin (all stored days).")


class PostingTimesSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    timezone = serializers.CharField()
    enough_data = serializers.BooleanField(help_text="False: not enough data yet, nothing is suggested.")
    pins = serializers.IntegerField(help_text="The project's pins with metrics and a publication time.")
    min_total_pins = serializers.IntegerField()
    min_pins_per_cell = serializers.IntegerField()
    suggested = PostingCellSerializer(many=True, help_text="The best cells, best first.")
    cells = PostingCellSerializer(many=True, help_text="Every cell, by weekday then hour.")


class AppliedSlotsSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    timezone = serializers.CharField()
    slots = serializers.ListField(child=serializers.DictField(), help_text="The project's weekly slots now.")


def _cell(cell: PostingCell) -> dict[str, Any]:
    return {"weekday": Weekday(cell.weekday).name.lower(), "time": f"{cell.local_time:%H:%M}", "pins": cell.pins,
            "mean_outbound_clicks": cell.mean_outbound_clicks, "mean_saves": cell.mean_saves}


def _present(times: PostingTimes) -> dict[str, Any]:
    return {"project": times.project_id, "timezone": times.timezone, "enough_data": times.enough_data,
            "pins": times.pins, "min_total_pins": times.min_total_pins, "min_pins_per_cell": times.min_pins_per_cell,
            "suggested": [_cell(cell) for cell in times.suggested], "cells": [_cell(cell) for cell in times.cells]}


def apply_posting_times(*, project: BlogProject) -> PostingTimes:
    """Make the project's suggested posting times its weekly slots (the interface's one call, for the
    API and the planner). NotEnoughData when nothing is suggested; the slots stay as they were then."""
    times = posting_times(project=project)
    project_slots_replace(project=project, slots=times.slots_to_apply())
    return times


class _ProjectApi(TenantApi):
    def project(self, project_id: int) -> BlogProject:
        return get_or_404(projects_for_tenant(tenant=self.tenant), label="Project", pk=project_id)


class PostingTimesApi(_ProjectApi):
    @extend_schema(
        operation_id="projects_posting_times",
        tags=["analytics"],
        summary="Posting times suggested from the project's own results",
        description="Outbound clicks and saves per pin by weekday and hour of publication (in the project's "
        "zone), with the pins behind each cell; the best cells (by mean outbound clicks, then saves) holding "
        "at least `min_pins_per_cell` pins are suggested once the project has `min_total_pins` pins with "
        "metrics. Otherwise `enough_data` is false and nothing is suggested.",
        responses={200: PostingTimesSerializer, **error_responses(404)},
    )
    def get(self, request: Request, project_id: int) -> Response:
        return Response(PostingTimesSerializer(_present(posting_times(project=self.project(project_id)))).data)


class PostingTimesApplyApi(_ProjectApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="projects_posting_times_apply",
        tags=["analytics"],
        request=None,
        summary="Use the suggested posting times as the weekly slots",
        description="Replaces the project's weekly posting slots with the suggested ones (as "
        "`PUT /api/projects/{id}/slots/` would); the queue then uses them. Pins already scheduled keep "
        "their times. 409 `not_enough_data` when nothing is suggested (the slots stay).",
        responses={200: AppliedSlotsSerializer, **error_responses(404, 409)},
    )
    @no_input
    def post(self, request: Request, project_id: int) -> Response:
        project = self.project(project_id)
        apply_posting_times(project=project)
        slots = [{"weekday": Weekday(slot.weekday).name.lower(), "time": f"{slot.local_time:%H:%M}"}
                 for slot in project.posting_slots.all()]
        return Response({"project": project.pk, "timezone": project.timezone, "slots": slots})
