"""The one shape of every error answer, and its schema.

``{"error": {"code", "message", "fields"}}``: ``fields`` is always present, field name -> list
of messages for a 400, empty otherwise.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, machine-readable: validation_error, not_found, not_authenticated, "
        "authentication_failed, no_tenant, insufficient_scope, permission_denied, method_not_allowed, "
        "unsupported_media_type, parse_error, request_too_large, too_many_fields, throttled, "
        "pin_not_editable, server_error, ..."
    )
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For validation errors: field name -> messages. Empty for other errors.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    error = ErrorBodySerializer()


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each invalid field (or query parameter).",
    401: "No credentials, or invalid ones.",
    403: "The user belongs to no tenant (`no_tenant`), or the API key lacks the scope the operation "
    "needs (`insufficient_scope`, the message names it).",
    404: "No such object in your tenant (another tenant's objects are 404 too), or no such page.",
    409: "The object's state forbids this (the message says why).",
    415: "Unsupported Content-Type for the request body.",
    429: "Too many requests: see the Retry-After header.",
    503: "Pinterest could not be reached or answered with an error for now; try again later (the message says why).",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the given error statuses, plus the ones every endpoint can answer."""
    every_endpoint = (401, 403, 429)
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in sorted({*statuses, *every_endpoint})
    }


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
