"""A pin as the API presents it (written out by hand for speed; the schema comes from the fields)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from publishing.models import MediaState, Pin, PinKind, PinStatus, ReviewAction
from publishing.rules import waiting_reason
from publishing.serializers.carousel import CarouselItemSerializer, carousel_item, file_url
from publishing.serializers.fields import NullIfBlankCharField, NullIfBlankURLField
from publishing.services.content import pin_warnings


class PinWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class PinReviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[c for c in ReviewAction.choices if c[0]], allow_null=True,
        help_text="What the editor asked, while the pin is in review; null once decided.",
    )
    requested_by = serializers.IntegerField(allow_null=True, help_text="The user who asked.")
    requested_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(help_text="The owner's comment when the pin was sent back; blank otherwise.")
    reviewed_by = serializers.IntegerField(allow_null=True, help_text="The owner who decided last.")
    reviewed_at = serializers.DateTimeField(allow_null=True)


class PinListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Iterable[Pin]) -> list[dict[str, Any]]:
        pins = list(data)
        # ``waiting_reason`` reads a due pin's account: the page's accounts load in two queries,
        # not two per pin.
        prefetch_related_objects(
            [pin for pin in pins if pin.status == PinStatus.READY_TO_SCHEDULE], "project__pinterest_connection"
        )
        return super().to_representation(pins)


class PinSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = PinListSerializer

    id = serializers.UUIDField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    board = serializers.IntegerField(source="board_id", read_only=True, allow_null=True)
    board_section = serializers.IntegerField(source="board_section_id", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=PinKind.choices, read_only=True,
                                   help_text="What the pin shows: one image, a carousel or a video.")
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    alt_text = serializers.CharField(read_only=True)
    link = NullIfBlankURLField(help_text="Where the pin leads; null: its article's URL.")
    image = serializers.ImageField(
        read_only=True, allow_null=True, help_text="URL of the uploaded image, or null."
    )
    image_url = NullIfBlankURLField(help_text="The https image URL given instead of an upload.")
    carousel = CarouselItemSerializer(source="carousel_items.all", many=True, read_only=True,
                                      help_text="A carousel's images in order; empty for other pins.")
    video = serializers.FileField(read_only=True, allow_null=True, help_text="URL of the uploaded video, or null.")
    cover_image = serializers.ImageField(read_only=True, allow_null=True)
    cover_image_url = NullIfBlankURLField()
    cover_key_frame_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    media_state = serializers.ChoiceField(
        choices=MediaState.choices, read_only=True,
        help_text="A video pin's media at Pinterest: blank before publishing, then registered, uploaded "
        "(Pinterest is processing it; the pin stays publishing), succeeded or failed.",
    )
    status = serializers.ChoiceField(
        choices=PinStatus.choices,
        read_only=True,
        help_text="Changes only through the schedule/unschedule, publish and approve/reject actions; "
        "in_review: an editor's ask waits for an owner (projects whose pins need approval).",
    )
    scheduled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review = serializers.SerializerMethodField(
        help_text="The review (projects whose pins need approval): what an editor asked while the pin is "
        "in_review (`action`: schedule at `scheduled_at`, queue or publish), by whom and when; the owner's "
        "`comment` when it was sent back to draft; who decided last and when. Null when never reviewed."
    )
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    pinterest_pin_id = NullIfBlankCharField()
    pinterest_pin_url = NullIfBlankURLField()
    error_message = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text="Text longer than Pinterest allows: accepted, and cut when published."
    )
    waiting_reason = serializers.SerializerMethodField(
        help_text="Why a due pin stays ready instead of publishing (no account, an inactive or spam-blocked "
        "one, an expired token whose refresh keeps failing); null when nothing holds it back."
    )

    @extend_schema_field(PinReviewSerializer(allow_null=True))
    def get_review(self, pin: Pin) -> dict[str, Any] | None:
        return _review(pin, timezone.get_current_timezone())

    @extend_schema_field(PinWarningSerializer(many=True))
    def get_warnings(self, pin: Pin) -> list[dict[str, str]]:
        return pin_warnings(pin=pin)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_waiting_reason(self, pin: Pin) -> str | None:
        return waiting_reason(pin, timezone.now())

    def to_representation(self, pin: Pin) -> dict[str, Any]:
        # Written out by hand: a pin list page serializes 50 pins, and DRF's field-by-field
        # path costs about ten times as much. tests/publishing/test_api_pins.py checks that
        # both give the same answer for every field declared above (which the schema shows).
        request = self.context.get("request")
        tz = timezone.get_current_timezone()
        return {
            "id": str(pin.id),
            "project": pin.project_id,
            "article": pin.article_id,
            "board": pin.board_id,
            "board_section": pin.board_section_id,
            "kind": pin.kind,
            "title": pin.title,
            "description": pin.description,
            "alt_text": pin.alt_text,
            "link": pin.link or None,
            "image": file_url(pin.image, request),
            "image_url": pin.image_url or None,
            "carousel": [carousel_item(item, request) for item in pin.carousel_items.all()],
            "video": file_url(pin.video, request),
            "cover_image": file_url(pin.cover_image, request),
            "cover_image_url": pin.cover_image_url or None,
            "cover_key_frame_seconds": pin.cover_key_frame_seconds,
            "media_state": pin.media_state,
            "status": pin.status,
            "scheduled_at": _iso(pin.scheduled_at, tz),
            "review": _review(pin, tz),
            "published_at": _iso(pin.published_at, tz),
            "pinterest_pin_id": pin.pinterest_pin_id or None,
            "pinterest_pin_url": pin.pinterest_pin_url or None,
            "error_message": pin.error_message,
            "created_at": _iso(pin.created_at, tz),
            "updated_at": _iso(pin.updated_at, tz),
            "warnings": pin_warnings(pin=pin),
            "waiting_reason": waiting_reason(pin, timezone.now()),
        }


def _review(pin: Pin, tz: tzinfo) -> dict[str, Any] | None:
    """The pin's review as ``PinReviewSerializer`` says, from its columns (users by id: no query)."""
    if not (pin.review_action or pin.review_requested_at or pin.review_comment or pin.reviewed_at):
        return None
    return {
        "action": pin.review_action or None,
        "requested_by": pin.review_requested_by_id,
        "requested_at": _iso(pin.review_requested_at, tz),
        "comment": pin.review_comment,
        "reviewed_by": pin.reviewed_by_id,
        "reviewed_at": _iso(pin.reviewed_at, tz),
    }


def _iso(value: datetime | None, tz: tzinfo) -> str | None:
    """A datetime as DRF writes it: ISO 8601 in the current time zone, UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
