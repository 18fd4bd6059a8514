"""A carousel's items: as a pin presents them (output), and as a request gives them (input: a JSON
list, or in multipart a JSON string whose items name their upload parts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models.fields.files import FieldFile
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.utils import html

from pinpublisher.api import IdField, RefusesUnexpectedFields, parsers
from pinterest.limits import LINK_MAX
from publishing.models import CarouselItem
from publishing.rules import CAROUSEL_TEXT_MAX, URL_MAX
from publishing.serializers.fields import NullIfBlankURLField


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

    def to_representation(self, item: CarouselItem) -> dict[str, Any]:
        return carousel_item(item, self.context.get("request"))


def file_url(file: FieldFile | None, request: Request | None) -> str | None:
    if not file:
        return None
    url = file.url
    return request.build_absolute_uri(url) if request is not None else url


def carousel_item(item: CarouselItem, request: Request | None) -> dict[str, Any]:
    return {
        "id": item.pk, "position": item.position, "image": file_url(item.image, request),
        "image_url": item.image_url or None, "width": item.width, "height": item.height,
        "title": item.title, "description": item.description, "link": item.link,
    }


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

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_empty", True)
        super().__init__(**kwargs)

    def get_value(self, dictionary: Mapping[str, Any]) -> Any:
        # multipart: one field holding the JSON list (ListField would read repeated fields).
        if html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data: object) -> list[dict[str, Any]]:
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
