"""Serializers of the publishing API: Input ones parse requests, Output ones present objects.

They hold no rules: an input serializer checks types (and the lengths the model's columns
set) and renames related ids (``project`` -> ``project_id``) for the services; every rule about
tenants, boards, images, statuses and a pin's text lives in ``publishing.services.content``.
"""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from pinpublisher.api import AwareDateTimeField, IdField, ReadOnlyFields, RefusesUnexpectedFields, parsers
from pinterest.limits import CAROUSEL_MAX, CAROUSEL_MIN, LINK_MAX
from publishing.models import MediaState, PinKind, PinStatus
from publishing.rules import ARTICLE_TITLE_MAX, CAROUSEL_TEXT_MAX, URL_MAX, waiting_reason
from publishing.selectors import PIN_ORDERING_FIELDS, PinFilters
from publishing.services.content import PIN_TEXT_MAX, PINTEREST_TEXT_LIMITS, pin_warnings


class NullIfBlankCharField(serializers.CharField):
    """Output: an empty identifier reads as null ("not there yet") rather than ""."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class NullIfBlankURLField(serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ServiceCheckedCharField(serializers.CharField):
    """Text whose length the content service judges, so the API and the admin refuse it with one
    message; ``max_length`` here only documents the service's limit (the schema's maxLength)."""

    def __init__(self, *, max_length, **kwargs):
        self.service_max_length = max_length
        super().__init__(**kwargs)


class ServiceCheckedCharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ServiceCheckedCharField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "maxLength": self.target.service_max_length}


# --- Projects --------------------------------------------------------------------------------


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    pinterest_connection = serializers.IntegerField(
        source="pinterest_connection_id", read_only=True, allow_null=True
    )
    timezone = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ProjectInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(ProjectSerializer)

    name = serializers.CharField(max_length=200, help_text="Unique within your tenant.")
    pinterest_connection = IdField(
        source="pinterest_connection_id",
        allow_null=True,
        default=None,
        help_text="Id of one of your Pinterest connections, or null.",
    )
    timezone = serializers.CharField(
        max_length=64,
        default="UTC",
        help_text="IANA time zone name (Europe/Berlin); the project's posting slots, CSV dates without "
        "an offset and its calendar are read in it.",
    )


# --- Articles --------------------------------------------------------------------------------


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.URLField(read_only=True)
    title = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ArticleInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(ArticleSerializer)

    project = IdField(source="project_id", help_text="Id of one of your projects.")
    url = serializers.URLField(max_length=URL_MAX, help_text="The article's http(s) URL: the pin's link.")
    title = serializers.CharField(max_length=ARTICLE_TITLE_MAX, allow_blank=True, default="")


class ArticleFilterSerializer(serializers.Serializer):
    project = IdField(required=False, help_text="Only this project's articles.")


# --- Pins ------------------------------------------------------------------------------------


class PinWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class PinListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        pins = list(data)
        # ``waiting_reason`` reads a due pin's account: the page's accounts load in two queries,
        # not two per pin.
        prefetch_related_objects(
            [pin for pin in pins if pin.status == PinStatus.READY_TO_SCHEDULE], "project__pinterest_connection"
        )
        return super().to_representation(pins)


class CarouselItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Give it back in an update to keep this item.")
    position = serializers.IntegerField(read_only=True, help_text="0 for the first image.")
    image = serializers.ImageField(read_only=True, allow_null=True, help_text="URL of the uploaded image, or null.")
    image_url = NullIfBlankURLField()
    width = serializers.IntegerField(read_only=True, allow_null=True)
    height = serializers.IntegerField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    link = serializers.CharField(read_only=True)

    def to_representation(self, item):
        return _carousel_item(item, self.context.get("request"))


def _file_url(file, request):
    if not file:
        return None
    url = file.url
    return request.build_absolute_uri(url) if request is not None else url


def _carousel_item(item, request) -> dict:
    return {
        "id": item.pk, "position": item.position, "image": _file_url(item.image, request),
        "image_url": item.image_url or None, "width": item.width, "height": item.height,
        "title": item.title, "description": item.description, "link": item.link,
    }


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
        help_text="Changes only through the schedule/unschedule (and publish) actions.",
    )
    scheduled_at = serializers.DateTimeField(read_only=True, allow_null=True)
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

    @extend_schema_field(PinWarningSerializer(many=True))
    def get_warnings(self, pin):
        return pin_warnings(pin=pin)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_waiting_reason(self, pin):
        return waiting_reason(pin, timezone.now())

    def to_representation(self, pin):
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
            "image": _file_url(pin.image, request),
            "image_url": pin.image_url or None,
            "carousel": [_carousel_item(item, request) for item in pin.carousel_items.all()],
            "video": _file_url(pin.video, request),
            "cover_image": _file_url(pin.cover_image, request),
            "cover_image_url": pin.cover_image_url or None,
            "cover_key_frame_seconds": pin.cover_key_frame_seconds,
            "media_state": pin.media_state,
            "status": pin.status,
            "scheduled_at": _iso(pin.scheduled_at, tz),
            "published_at": _iso(pin.published_at, tz),
            "pinterest_pin_id": pin.pinterest_pin_id or None,
            "pinterest_pin_url": pin.pinterest_pin_url or None,
            "error_message": pin.error_message,
            "created_at": _iso(pin.created_at, tz),
            "updated_at": _iso(pin.updated_at, tz),
            "warnings": pin_warnings(pin=pin),
            "waiting_reason": waiting_reason(pin, timezone.now()),
        }


def _iso(value, tz):
    """A datetime as DRF writes it: ISO 8601 in the current time zone, UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_LIMITS_HELP = "Pinterest shows at most {} characters; longer text is kept but cut when published."


class CarouselItemInputSerializer(RefusesUnexpectedFields, serializers.Serializer):
    id = IdField(required=False, help_text="An item of this pin, kept (in an update).")
    image_url = serializers.URLField(max_length=URL_MAX, required=False, allow_blank=True,
                                     help_text="An https URL of the image.")
    file = serializers.CharField(required=False, max_length=200,
                                 help_text="multipart only: the name of the request's file part holding the image.")
    # No defaults: an item kept by id keeps the texts and link left out (``check_carousel``).
    title = serializers.CharField(required=False, allow_blank=True, max_length=CAROUSEL_TEXT_MAX["title"])
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=CAROUSEL_TEXT_MAX["description"]
    )
    link = serializers.URLField(required=False, allow_blank=True, max_length=LINK_MAX)


class CarouselField(serializers.ListField):
    """The carousel's items in order: a JSON list, or in multipart a JSON string of that list
    whose items name their upload (``"file": "<part name>"``)."""

    child = CarouselItemInputSerializer()

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        # multipart: one field holding the JSON list (ListField would read repeated fields).
        if html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = parsers.loads(data)  # the body's own bound on nesting
            except ValueError as err:
                raise serializers.ValidationError(f"Expected a JSON list of items: {err}.") from None
        items = super().to_internal_value(data)
        request = self.context.get("request")
        files = request.FILES if request is not None else {}
        # The parts the items name are this field's input, not unknown fields (``parse``).
        consumed = self.context.setdefault("consumed_fields", set())
        for number, item in enumerate(items, start=1):
            name = item.pop("file", None)
            if name:
                if name not in files:
                    raise serializers.ValidationError(f"Item {number}: no file part named {name!r} in the request.")
                item["image"] = files[name]
                consumed.add(name)
        return items


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

    def validate_status(self, value):
        statuses = tuple(s.strip() for s in value.split(",") if s.strip())
        unknown = [s for s in statuses if s not in PinStatus.values]
        if unknown or not statuses:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown) or value!r}; use "
                + ", ".join(PinStatus.values)
                + "."
            )
        return statuses

    def validate_ordering(self, value):
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
    def to_filters(data: dict) -> PinFilters:
        return PinFilters(
            statuses=data.get("status", ()),
            project_id=data.get("project"),
            article_id=data.get("article"),
            board_id=data.get("board"),
            scheduled_after=data.get("scheduled_after"),
            scheduled_before=data.get("scheduled_before"),
            ordering=data.get("ordering", ()),
        )
