"""Serializers of the webhooks API: Input ones parse requests, Output ones present objects.

No rules here: the URL's scheme and address and the event types are judged by
``webhooks.services.endpoints`` (the admin calls the same service). No output carries a
signing secret except the two answers that hand a new one over, once.
"""

from rest_framework import serializers

from pinpublisher.api import ReadOnlyFields
from webhooks.models import DeliveryStatus, EventType
from webhooks.services.endpoints import URL_MAX_LENGTH

EVENT_TYPES_HELP = "Event types sent to this endpoint; empty or absent: every type. One of: " + ", ".join(
    EventType.values
) + "."


class EndpointInputSerializer(serializers.Serializer):
    # Defined below: read when a request is parsed (the output's fields are read-only here).
    read_only_fields: ReadOnlyFields

    url = serializers.CharField(
        max_length=URL_MAX_LENGTH, help_text="An https URL on a public address; it receives a signed JSON POST."
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False, max_length=len(EventType.values) * 2,
        help_text=EVENT_TYPES_HELP,
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, help_text="Whether events are sent to it (default true).")


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=EVENT_TYPES_HELP)
    is_active = serializers.BooleanField(read_only=True)
    failing_since = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Since when every attempt has failed (null after any 2xx)."
    )
    disabled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    disabled_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret. Shown this once: store it now (rotate-secret makes a new one)."
    )


EndpointInputSerializer.read_only_fields = ReadOnlyFields(
    EndpointCreatedSerializer, secret="use /rotate-secret/."
)


class SecretRotatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    secret = serializers.CharField(read_only=True, help_text="The new signing secret, shown this once.")
    overlap_ends_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="Until then the previous secret signs too (a second v1 in Pinpublisher-Signature).",
    )


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    type = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)
    data = serializers.JSONField(read_only=True)


class DeliveryAttemptSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(read_only=True)
    duration_ms = serializers.IntegerField(read_only=True)
    status_code = serializers.IntegerField(read_only=True, allow_null=True)
    success = serializers.BooleanField(read_only=True)
    error = serializers.CharField(read_only=True)
    response_body = serializers.CharField(read_only=True, help_text="The first 1 KB of the answer.")


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    event = EventSerializer(read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    next_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    give_up_at = serializers.DateTimeField(read_only=True)
    last_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True, help_text="Every attempt, newest first.")


class DeliveryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
