"""REST endpoints for planning: queues of weekly slots, interval pinning, CSV import.

Thin views (HackSoft style): parse with the nested Input serializer, call one service, present
with the Output one. Times go out as ISO 8601 with an offset (the queue's in the project's zone).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import time, timedelta
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import (
    AwareDateTimeField,
    IdField,
    RefusesUnexpectedFields,
    error_responses,
    get_or_404,
    no_input,
    parse,
    parse_query,
)
from pinpublisher.api.parsers import ClosedMultiPartParser
from publishing import selectors, selectors_queue
from publishing.api import PublishingApi
from publishing.models import BlogProject, Pin, Weekday
from publishing.serializers import PinSerializer
from publishing.services import csv_import, interval, queue_slots

MAX_BULK = 500
WEEKDAYS = [day.name.lower() for day in Weekday]


def _project(api: PublishingApi, project_id: int) -> BlogProject:
    return get_or_404(selectors.projects_for_tenant(tenant=api.tenant), label="Project", pk=project_id)


def _pins_out(pins: Iterable[Pin], request: Request) -> list[dict[str, Any]]:
    return PinSerializer(pins, many=True, context={"request": request}).data


class PinQueueApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="pins_queue_add",
        tags=["scheduling"],
        request=None,
        description="Schedules the pin into its project's next free posting slot (a minute no pin of any "
        "project on the same Pinterest account holds). A pin already queued may move to an earlier free "
        "slot. 400 (`project`) when the project has no slots; the pin needs a board and an image. In a "
        "project whose pins need approval, an editor's pin goes in_review with \"queue\" asked instead; the "
        "slot is taken when an owner approves.",
        responses={200: PinSerializer, **error_responses(400, 404, 409)},
    )
    @no_input
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        pin = queue_slots.pin_add_to_queue(pin=pin)
        return Response(PinSerializer(pin, context={"request": request}).data)

    @extend_schema(
        operation_id="pins_queue_remove",
        tags=["scheduling"],
        description="Takes the pin off the queue (back to draft); its slot is free again.",
        responses={200: PinSerializer, **error_responses(404, 409)},
    )
    def delete(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        pin = queue_slots.pin_remove_from_queue(pin=pin)
        return Response(PinSerializer(pin, context={"request": request}).data)


class PinsQueueBulkApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PinsQueueBulkInput"

        pin_ids = serializers.ListField(
            child=serializers.UUIDField(), min_length=1, max_length=MAX_BULK,
            help_text=f"1 to {MAX_BULK} pin ids, queued in this order; duplicates are collapsed.",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PinsQueueBulkOutput"

        pins = PinSerializer(many=True)

    @extend_schema(
        operation_id="pins_queue_bulk",
        tags=["scheduling"],
        request=InputSerializer,
        description="Adds every pin to its project's queue, in the order given; all or none: any pin "
        "refused (unknown, no slots, no board or image, published) makes a 400 listing each under `pin_ids`.",
        responses={200: OutputSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        pin_ids = list(dict.fromkeys(parse(self.InputSerializer, request.data)["pin_ids"]))
        pins = {pin.pk: pin for pin in selectors.pins_for_tenant(tenant=self.tenant).filter(pk__in=pin_ids)
                .select_related("project", "board")}
        unknown = [f"Pin {pin_id} not found." for pin_id in pin_ids if pin_id not in pins]
        if unknown:
            raise exceptions.ValidationError({"pin_ids": unknown})
        scheduled = queue_slots.pins_add_to_queue(pins=[pins[pin_id] for pin_id in pin_ids])
        return Response({"pins": _pins_out(scheduled, request)})


class ProjectQueueApi(PublishingApi):
    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectQueueFilter"

        days = serializers.IntegerField(
            min_value=1, max_value=selectors_queue.MAX_LIST_DAYS, default=14, help_text="How many days ahead."
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectQueueOutput"

        class SlotSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ProjectQueueSlot"

            at = serializers.CharField(help_text="ISO 8601 in the project's time zone, with its offset.")
            free = serializers.BooleanField()
            pin = PinSerializer(allow_null=True, help_text="The project's pin in this slot.")
            taken_by_project = serializers.IntegerField(
                allow_null=True, help_text="Another project on the same account holds this minute."
            )

        project = serializers.IntegerField()
        timezone = serializers.CharField()
        slots = SlotSerializer(many=True)

    @extend_schema(
        operation_id="projects_queue_list",
        tags=["scheduling"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = _project(self, project_id)
        days = parse_query(self.FilterSerializer, request.query_params)["days"]
        zone = project.zone
        slots = [
            {
                "at": slot.at.astimezone(zone).isoformat(),
                "free": slot.is_free,
                "pin": PinSerializer(slot.pin, context={"request": request}).data if slot.pin else None,
                "taken_by_project": slot.taken_by.project_id if slot.taken_by else None,
            }
            for slot in selectors_queue.project_queue_list(project=project, days=days)
        ]
        return Response({"project": project.pk, "timezone": project.timezone, "slots": slots})


class ProjectSlotsApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    class SlotSerializer(RefusesUnexpectedFields, serializers.Serializer):
        class Meta:
            ref_name = "ProjectSlotsSlot"

        weekday = serializers.ChoiceField(choices=WEEKDAYS)
        time = serializers.TimeField(format="%H:%M", help_text="Local time in the project's zone, HH:MM.")

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectSlotsInput"

        slots = serializers.ListField(
            child=serializers.DictField(), allow_empty=True, help_text="The whole weekly list (replaces it)."
        )

        def validate_slots(self, value: list[dict[str, Any]]) -> list[tuple[int, time]]:
            parsed = []
            for index, item in enumerate(value):
                slot = ProjectSlotsApi.SlotSerializer(data=item)
                if not slot.is_valid():
                    problems = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in slot.errors.items())
                    raise serializers.ValidationError(f"slot {index}: {problems}")
                parsed.append((WEEKDAYS.index(slot.validated_data["weekday"]), slot.validated_data["time"]))
            return parsed

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectSlotsOutput"

        project = serializers.IntegerField()
        timezone = serializers.CharField()
        slots = serializers.ListField(child=serializers.DictField())

    def present(self, project: BlogProject) -> Response:
        slots = [
            {"weekday": WEEKDAYS[slot.weekday], "time": f"{slot.local_time:%H:%M}"}
            for slot in project.posting_slots.all()
        ]
        return Response({"project": project.pk, "timezone": project.timezone, "slots": slots})

    @extend_schema(operation_id="projects_slots_list", tags=["scheduling"],
                   responses={200: OutputSerializer, **error_responses(404)})
    def get(self, request: Request, project_id: int) -> Response:
        return self.present(_project(self, project_id))

    @extend_schema(
        operation_id="projects_slots_replace",
        tags=["scheduling"],
        request=InputSerializer,
        description='Replaces the weekly posting slots: `{"slots": [{"weekday": "monday", "time": "09:00"}]}` '
        "(times in the project's time zone, whole minutes). Pins already scheduled keep their times.",
        responses={200: OutputSerializer, **error_responses(400, 404, 415)},
    )
    def put(self, request: Request, project_id: int) -> Response:
        project = _project(self, project_id)
        slots = parse(self.InputSerializer, request.data)["slots"]
        queue_slots.project_slots_replace(project=project, slots=slots)
        return self.present(project)


class PinPinToBoardsApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PinPinToBoardsInput"

        boards = serializers.ListField(
            child=IdField(), min_length=1, max_length=interval.MAX_BOARDS,
            help_text="Board ids of the project's Pinterest account, in publishing order.",
        )
        start_at = AwareDateTimeField(help_text="When the first copy publishes (ISO 8601 with an offset).")
        interval_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
        interval_hours = serializers.IntegerField(min_value=1, max_value=24 * 365, required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            given = [name for name in ("interval_days", "interval_hours") if name in attrs]
            if len(given) != 1:
                raise serializers.ValidationError({"interval_days": ["Give interval_days or interval_hours (one)."]})
            return attrs

    @extend_schema(
        operation_id="pins_pin_to_boards",
        tags=["scheduling"],
        request=InputSerializer,
        description="Creates one pin per board with this pin's article, texts and media (image, carousel or "
        "video), linked to it (`source_pin`), the k-th scheduled at start_at + k x interval. All or none; "
        "a board of another account than the project's is a 400 under `boards` naming it.",
        responses={201: PinSerializer(many=True), **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        data = parse(self.InputSerializer, request.data)
        step = timedelta(days=data["interval_days"]) if "interval_days" in data else timedelta(
            hours=data["interval_hours"]
        )
        copies = interval.pin_pin_to_boards(
            pin=pin, board_ids=data["boards"], start_at=data["start_at"], interval=step
        )
        return Response(_pins_out(copies, request), status=status.HTTP_201_CREATED)


class ProjectImportApi(PublishingApi):
    write_scope = Scope.PINS_WRITE
    parser_classes = [ClosedMultiPartParser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectImportInput"

        file = serializers.FileField(help_text="A CSV in Pinterest's bulk-create format, UTF-8.")
        dry_run = serializers.BooleanField(default=False, help_text="Check everything, import nothing.")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectImportOutput"

        rows = serializers.IntegerField()
        pins_created = serializers.IntegerField()
        articles_created = serializers.IntegerField()
        articles_reused = serializers.IntegerField()
        scheduled = serializers.IntegerField(help_text="Rows with a publish date.")
        queued = serializers.IntegerField(help_text="Rows without one, put into the queue.")
        dry_run = serializers.BooleanField()
        notes = serializers.ListField(child=serializers.CharField())
        pin_ids = serializers.ListField(child=serializers.UUIDField())

    @extend_schema(
        operation_id="projects_import_csv",
        tags=["scheduling"],
        request={"multipart/form-data": InputSerializer},
        description="Imports pins from a CSV (columns Title, Media URL, Pinterest board, Thumbnail, "
        "Description, Link, Publish date, Keywords, Alt text). All or nothing: any bad row is a 400 whose "
        "`fields.file` lists `row N: <column>: <reason>` for every problem. 201 when imported, 200 for a dry run.",
        responses={201: OutputSerializer, 200: OutputSerializer, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = _project(self, project_id)
        data = parse(self.InputSerializer, request.data)
        upload = data["file"]
        if upload.size is not None and upload.size > csv_import.MAX_BYTES:
            raise exceptions.ValidationError({"file": [f"The file is over {csv_import.MAX_BYTES // 1024 // 1024} MB."]})
        result = csv_import.pins_import_csv(project=project, data=upload.read(), dry_run=data["dry_run"])
        return Response(
            self.OutputSerializer(result).data,
            status=status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED,
        )

