"""REST endpoints that send pins to Pinterest: publish one now, publish many, follow a batch,
read a pin's attempts. Thin: parse, call one service or selector, present."""

import uuid

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    error_responses,
    get_or_404,
    no_input,
    paginated,
    paginated_response,
    parse,
)
from publishing import approvals, engine, selectors
from publishing.api import PublishingApi
from publishing.models import Pin, PublishBatch, PublishTrigger
from publishing.serializers import PinSerializer

MSG_IN_REVIEW = "The project's pins need approval: the pin waits in review until an owner approves it."

MAX_BULK = 500


class PublishResultSerializer(serializers.Serializer):
    success = serializers.BooleanField(help_text="True when the pin is on Pinterest.")
    pinterest_pin_id = serializers.CharField(allow_null=True)
    pinterest_pin_url = serializers.URLField(allow_null=True)
    error = serializers.CharField(
        allow_null=True, help_text="Why Pinterest refused it, or why the outcome is still being checked."
    )


class BulkPublishInputSerializer(serializers.Serializer):
    pin_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        min_length=1,
        max_length=MAX_BULK,
        help_text=f"1 to {MAX_BULK} pin ids (UUIDs) of your tenant; duplicates are collapsed.",
    )


class BulkPublishAcceptedSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField(allow_null=True, help_text="Null when every pin went to review.")
    total = serializers.IntegerField()
    status_url = serializers.URLField(allow_null=True)
    in_review = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="The pins that wait for an owner's approval instead (a project whose pins need approval, "
        "asked by an editor); they are not in the batch.",
    )


class PublishHandedOffSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    total = serializers.IntegerField()
    status_url = serializers.URLField()
    expected_at = serializers.DateTimeField(
        help_text="When the pin is expected to go: the account's next slot (Pinterest's Retry-After, its "
        "pacing), or now."
    )
    message = serializers.CharField(help_text="Why the pin was handed to the background publishers.")


class BatchResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    success = serializers.BooleanField(
        allow_null=True, help_text="null while the pin is pending; true when it is on Pinterest."
    )
    outcome = serializers.ChoiceField(
        choices=["pending", "published", "skipped", "failed"],
        help_text="skipped: the pin was already published, nothing was sent for it.",
    )
    error = serializers.CharField(allow_null=True)


class BatchCountsSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    total = serializers.IntegerField()
    published = serializers.IntegerField(help_text="Pins this batch put on Pinterest.")
    skipped = serializers.IntegerField(help_text="Pins already published: nothing was sent for them.")
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()
    finished_at = serializers.DateTimeField(allow_null=True)


class BatchSerializer(BatchCountsSerializer):
    results = BatchResultSerializer(many=True)


class BatchListItemSerializer(BatchCountsSerializer):
    trigger = serializers.ChoiceField(choices=PublishTrigger.choices)
    created_at = serializers.DateTimeField()
    published = serializers.IntegerField(source="n_published", help_text="Pins this batch put on Pinterest.")
    skipped = serializers.IntegerField(source="n_skipped", help_text="Pins already published: nothing was sent.")
    failed = serializers.IntegerField(source="n_failed")
    pending = serializers.IntegerField(source="n_pending")


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trigger = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    http_status = serializers.IntegerField(allow_null=True)
    pinterest_request_id = serializers.CharField()
    pinterest_pin_id = serializers.CharField()
    error = serializers.CharField()


class PublishInReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["in_review"])
    message = serializers.CharField()
    pin = PinSerializer()


class PinPublishApi(PublishingApi):
    write_scope = Scope.PUBLISH

    @extend_schema(
        operation_id="pins_publish",
        tags=["publishing"],
        request=None,
        description="Publish the pin now and wait for Pinterest's answer. 200 whenever Pinterest answered "
        "(`success` says how); 400 when the pin cannot be published as it is, or its account cannot "
        "publish for a while (inactive, spam blocked); 409 when it is already publishing or published. "
        "The request never waits longer than `PUBLISH_NOW_MAX_WAIT_SECONDS` (default 15 s) in all for the "
        "account's pacing, Pinterest's rate limits or a video's processing: when it would (Pinterest told "
        "the account to wait, a video is still processing), the pin is handed to the background publishers "
        "as a batch of one and the answer is 202 with the batch (follow it at `status_url`) and "
        "`expected_at`, the account's next slot. The pin is never left `publishing` by a request that "
        "stopped waiting. In a project whose pins need approval, an editor's publish puts the pin in review "
        "instead (202 with `status: in_review` and the pin); an owner's approval publishes it.",
        responses={
            200: PublishResultSerializer,
            202: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="PublishAccepted",
                    serializers=[PublishHandedOffSerializer, PublishInReviewSerializer],
                    resource_type_field_name=None,
                ),
                description="Handed to the background publishers, or put in review for an owner's approval.",
            ),
            **error_responses(400, 404, 409),
        },
    )
    @no_input
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        result = approvals.pin_publish_now(pin=pin, trigger=PublishTrigger.MANUAL)
        if isinstance(result, Pin):
            asked = {"status": "in_review", "message": MSG_IN_REVIEW, "pin": result}
            return Response(PublishInReviewSerializer(asked, context={"request": request}).data,
                            status=status.HTTP_202_ACCEPTED)
        if result.batch_id is None:
            return Response(result.as_dict())
        status_url = request.build_absolute_uri(reverse("api-publish-batch-detail", args=[result.batch_id]))
        accepted = {"batch_id": result.batch_id, "total": 1, "status_url": status_url,
                    "expected_at": result.expected_at, "message": result.error}
        return Response(PublishHandedOffSerializer(accepted).data, status=status.HTTP_202_ACCEPTED)


class PinsPublishBulkApi(PublishingApi):
    write_scope = Scope.PUBLISH

    @extend_schema(
        operation_id="pins_publish_bulk",
        tags=["publishing"],
        request=BulkPublishInputSerializer,
        description="Publish many pins in the background, paced per Pinterest account. Any id that is "
        "malformed or not one of your pins makes the whole request a 400 that lists those ids; nothing "
        "is queued then. Follow the batch at `status_url`. An editor's pins of a project whose pins need "
        "approval go to review instead (`in_review`), outside the batch.",
        responses={
            202: OpenApiResponse(BulkPublishAcceptedSerializer, description="Queued."),
            **error_responses(400, 415),
        },
    )
    def post(self, request: Request) -> Response:
        raw_ids = parse(BulkPublishInputSerializer, request.data)["pin_ids"]
        ids, malformed = [], []
        for raw in dict.fromkeys(raw_ids):
            try:
                ids.append(uuid.UUID(raw))
            except ValueError:
                malformed.append(raw)
        ids = list(dict.fromkeys(ids))
        known = set(selectors.pins_for_tenant_ids(tenant=self.tenant, pin_ids=ids))
        unknown = [str(pin_id) for pin_id in ids if pin_id not in known]
        problems = [f"'{raw}' is not a pin id (a UUID)." for raw in malformed]
        problems += [f"Pin {pin_id} not found." for pin_id in unknown]
        if problems:
            raise exceptions.ValidationError({"pin_ids": problems})
        batch, asked = approvals.pins_publish_many(tenant=self.tenant, pin_ids=ids, trigger=PublishTrigger.BULK)
        status_url = (
            request.build_absolute_uri(reverse("api-publish-batch-detail", args=[batch.pk])) if batch else None
        )
        return Response(
            {"batch_id": str(batch.pk) if batch else None, "total": batch.total if batch else 0,
             "status_url": status_url, "in_review": [str(pin.pk) for pin in asked]},
            status=status.HTTP_202_ACCEPTED,
        )


class PublishBatchDetailApi(PublishingApi):
    @extend_schema(
        operation_id="publish_batches_retrieve",
        tags=["publishing"],
        responses={200: BatchSerializer, **error_responses(404)},
    )
    def get(self, request: Request, batch_id: uuid.UUID) -> Response:
        batch = get_or_404(PublishBatch.objects.filter(tenant=self.tenant), label="Batch", pk=batch_id)
        return Response(BatchSerializer(engine.batch_summary(batch=batch)).data)


class PublishBatchesApi(PublishingApi):
    @extend_schema(
        operation_id="publish_batches_list",
        tags=["publishing"],
        parameters=PAGINATION_PARAMETERS,
        description="Your publish batches (publish-bulk, the admin's \"Publish now\"), newest first, with "
        "their counts; a batch's pins are at `/api/publish-batches/<id>/`.",
        responses={200: paginated(BatchListItemSerializer), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.batches_for_tenant(tenant=self.tenant),
            serializer_class=BatchListItemSerializer,
            request=request,
            view=self,
        )


class PinAttemptsApi(PublishingApi):
    @extend_schema(
        operation_id="pins_attempts_list",
        tags=["publishing"],
        parameters=PAGINATION_PARAMETERS,
        description="Every call to Pinterest made for this pin, newest first: the answer to "
        "'what happened to my pin?'.",
        responses={200: paginated(AttemptSerializer), **error_responses(404)},
    )
    def get(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        return paginated_response(
            queryset=pin.attempts.order_by("-started_at", "-id"),
            serializer_class=AttemptSerializer,
            request=request,
            view=self,
        )

