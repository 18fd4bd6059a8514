"""The fields the publishing serializers share: identifiers that read as null when blank, and text
whose length the content service judges (its schema extension shows the service's limit)."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class NullIfBlankCharField(serializers.CharField):
    """Output: an empty identifier reads as null ("not there yet") rather than ""."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class NullIfBlankURLField(serializers.URLField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class ServiceCheckedCharField(serializers.CharField):
    """Text whose length the content service judges, so the API and the admin refuse it with one
    message; ``max_length`` here only documents the service's limit (the schema's maxLength)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.service_max_length = max_length
        super().__init__(**kwargs)


class ServiceCheckedCharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ServiceCheckedCharField

    def map_serializer_field(self, auto_schema: object, direction: str) -> dict[str, object]:
        return {"type": "string", "maxLength": self.target.service_max_length}
