"""The review's endpoints (issue 29): an owner approves a pin in review (the asked action happens,
through the usual rules) or sends it back to draft with a comment. The pins waiting are
``GET /api/pins/?status=in_review``. Thin: each parses, calls ``publishing.approvals``, serializes.
"""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import error_responses, no_input, parse
from publishing import approvals, selectors
from publishing.api import PublishingApi
from publishing.serializers import PinSerializer
from publishing.services.content.review import COMMENT_MAX


class PinRejectInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=COMMENT_MAX, help_text="What the editor should change; shown on the pin (required).",
    )


class PinApproveApi(PublishingApi):
    # Approving may publish the pin now: the key needs the publish scope.
    write_scope = Scope.PUBLISH

    @extend_schema(
        operation_id="pins_approve",
        tags=["pins"],
        request=None,
        description="An owner approves a pin in review: what the editor asked happens now, through the "
        "usual rules (a schedule at the time asked, the project's queue, or a publish now). When those "
        "rules refuse (the time is now in the past, the board was removed, the queue is full, the account "
        "cannot publish), nothing changes: the answer is the same 400 an owner doing it directly gets and "
        "the pin stays in review. 403 for anyone but an owner; 409 when the pin is not in review.",
        responses={200: PinSerializer, **error_responses(400, 403, 404, 409)},
    )
    @no_input
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        pin, _published = approvals.pin_approve(pin=pin)
        return Response(PinSerializer(pin, context={"request": request}).data)


class PinRejectApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="pins_reject",
        tags=["pins"],
        request=PinRejectInputSerializer,
        description="An owner sends a pin in review back to draft with a comment (shown on the pin, in "
        "`review.comment`); what was asked is forgotten, a schedule's time stays on the draft. 403 for "
        "anyone but an owner; 409 when the pin is not in review.",
        responses={200: PinSerializer, **error_responses(400, 403, 404, 409, 415)},
    )
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        data = parse(PinRejectInputSerializer, request.data)
        pin = approvals.pin_reject(pin=pin, comment=data["comment"])
        return Response(PinSerializer(pin, context={"request": request}).data)
