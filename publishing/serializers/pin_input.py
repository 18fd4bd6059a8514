"""A pin's input (multipart and JSON), its schedule action's body and the pin list's query parameters."""

from typing import Any

from rest_framework import serializers

from pinpublisher.api import AwareDateTimeField, IdField, ReadOnlyFields
from pinterest.limits import CAROUSEL_MAX, CAROUSEL_MIN
from publishing.models import PinStatus
from publishing.rules import URL_MAX
from publishing.selectors import PIN_ORDERING_FIELDS, PinFilters
from publishing.serializers.carousel import CarouselField
from publishing.serializers.fields import ServiceCheckedCharField
from publishing.serializers.pins import PinSerializer
from publishing.services.content import PIN_TEXT_MAX, PINTEREST_TEXT_LIMITS

_LIMITS_HELP = "Pinterest shows at most {} characters; longer text is kept but cut when published."


class PinInputSerializer(serializers.Serializer):
    """A pin's editable fields (multipart/form-data, to upload an image or a video)."""

    read_only_fields = ReadOnlyFields(
        PinSerializer,
        status="use /publish/ or /schedule/ (or scheduled_at here).",
        published_at="set when Pinterest accepts the pin.",
        pinterest_pin_id="set when Pinterest accepts the pin.",
        pinterest_pin_url="set when Pinterest accepts the pin.",
        error_message="set when publishing fails; /schedule/ clears it.",
        kind="follows the media given: image or image_url, carousel, or video.",
        media_state="set while Pinterest processes a video pin's media.",
    )

    project = IdField(source="project_id", help_text="Id of one of your projects.")
    article = IdField(source="article_id", help_text="Id of an article of that project.")
    board = IdField(
        source="board_id",
        allow_null=True,
        default=None,
        help_text="Id of a board of one of your Pinterest connections (not archived), or null.",
    )
    title = ServiceCheckedCharField(
        max_length=PIN_TEXT_MAX["title"], allow_blank=True, default="",
        help_text=_LIMITS_HELP.format(PINTEREST_TEXT_LIMITS["title"]),
    )
    description = ServiceCheckedCharField(
        max_length=PIN_TEXT_MAX["description"], allow_blank=True, default="",
        help_text=_LIMITS_HELP.format(PINTEREST_TEXT_LIMITS["description"]),
    )
    alt_text = ServiceCheckedCharField(
        max_length=PIN_TEXT_MAX["alt_text"], allow_blank=True, default="",
        help_text=_LIMITS_HELP.format(PINTEREST_TEXT_LIMITS["alt_text"]),
    )
    link = ServiceCheckedCharField(
        max_length=URL_MAX, allow_blank=True, default="",
        help_text="Where the pin leads: an http or https URL; blank leads to the article's URL.",
    )
    image = serializers.FileField(
        required=False,
        help_text="JPEG, PNG, WebP or GIF, at most 20 MB, at least 100x100 px. "
        "Give this or image_url.",
    )
    image_url = serializers.URLField(
        max_length=URL_MAX,
        allow_blank=True,
        default="",
        help_text="An https URL of the image, instead of an upload.",
    )
    board_section = IdField(
        source="board_section_id", allow_null=True, default=None,
        help_text="Id of a section of the pin's board, or null.",
    )
    carousel = CarouselField(
        required=False, allow_null=True, default=None,
        help_text=f"A carousel instead of one image: {CAROUSEL_MIN} to {CAROUSEL_MAX} items in order, all the same "
        "size, each with image_url (or, in multipart, file naming an upload part; multipart sends this list as a JSON "
        "string), and optional title, description and link. In an update the list replaces the "
        "carousel; {\"id\": n} keeps an item.",
    )
    video = serializers.FileField(
        required=False,
        help_text="A video instead of an image: MP4, MOV or M4V, at most PIN_VIDEO_MAX_BYTES (200 MB).",
    )
    cover_image = serializers.FileField(required=False, help_text="A video pin's cover image (an upload).")
    cover_image_url = serializers.URLField(max_length=URL_MAX, allow_blank=True, default="",
                                           help_text="A video pin's cover image, as an https URL.")
    cover_key_frame_seconds = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, allow_null=True, default=None,
        help_text="A video pin's cover: the frame at this second (0 when no cover is given).",
    )
    scheduled_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When to publish (ISO 8601 with an offset, not in the past): the pin is scheduled as "
        "/schedule/ does (ready_to_schedule; it needs a board and an image) or refused with nothing "
        "saved. null takes it off the schedule (draft); absent leaves the schedule as it is.",
    )


class PinJsonInputSerializer(PinInputSerializer):
    """A pin's editable fields as JSON: images are given by URL."""

    image = None
    video = None
    cover_image = None


class PinScheduleSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(
        help_text="When to publish: ISO 8601 with an offset (e.g. 2030-05-01T09:00:00+02:00)."
    )


class PinFilterSerializer(serializers.Serializer):
    """The pin list's query parameters, turned into ``PinFilters``."""

    status = serializers.CharField(
        required=False,
        help_text="Comma-separated statuses: " + ", ".join(PinStatus.values) + ".",
    )
    project = IdField(required=False)
    article = IdField(required=False)
    board = IdField(required=False)
    scheduled_after = AwareDateTimeField(
        required=False, help_text="scheduled_at at or after this time (ISO 8601 with offset)."
    )
    scheduled_before = AwareDateTimeField(
        required=False, help_text="scheduled_at before this time (ISO 8601 with offset)."
    )
    ordering = serializers.CharField(
        required=False,
        help_text="Comma-separated, '-' for descending: "
        + ", ".join(PIN_ORDERING_FIELDS)
        + ". Default -created_at.",
    )

    def validate_status(self, value: str) -> tuple[str, ...]:
        statuses = tuple(s.strip() for s in value.split(",") if s.strip())
        unknown = [s for s in statuses if s not in PinStatus.values]
        if unknown or not statuses:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown) or value!r}; use "
                + ", ".join(PinStatus.values)
                + "."
            )
        return statuses

    def validate_ordering(self, value: str) -> tuple[str, ...]:
        names = tuple(s.strip() for s in value.split(",") if s.strip())
        unknown = [n for n in names if n.lstrip("-") not in PIN_ORDERING_FIELDS]
        if unknown or not names:
            raise serializers.ValidationError(
                f"Cannot order by {', '.join(unknown) or value!r}; use "
                + ", ".join(PIN_ORDERING_FIELDS)
                + " (with '-' for descending)."
            )
        return names

    @staticmethod
    def to_filters(data: dict[str, Any]) -> PinFilters:
        return PinFilters(
            statuses=data.get("status", ()),
            project_id=data.get("project"),
            article_id=data.get("article"),
            board_id=data.get("board"),
            scheduled_after=data.get("scheduled_after"),
            scheduled_before=data.get("scheduled_before"),
            ordering=data.get("ordering", ()),
        )
