"""Serializers of the connections and boards API.

A connection is presented by what a person needs to judge its health; its tokens never
leave the server: only ``has_access_token`` / ``has_refresh_token`` say whether they are set
(read without decrypting them). ``health`` and ``health_detail`` are
``PinterestConnection.health``: what state the account is in and what a person reads about it.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pinpublisher.api import IdField
from pinterest.models import Health, PinterestConnection

HEALTH_HELP = (
    "ok; refresh_failing (retried automatically until the access token expires); needs_reconnect "
    "(inactive: connect the account again); spam_blocked (no pins are created until spam_blocked_until); "
    "expiry_unknown (a hand-added token without an expiry)."
)


class ConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    pinterest_user_id = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    access_token_expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    refresh_token_expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    scopes = serializers.ListField(
        child=serializers.CharField(), source="scope_list", read_only=True
    )
    last_error = serializers.CharField(read_only=True)
    last_refreshed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    board_count = serializers.IntegerField(
        read_only=True, help_text="Boards of this account that are not archived."
    )
    has_access_token = serializers.BooleanField(read_only=True)
    has_refresh_token = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    health = serializers.SerializerMethodField(help_text=HEALTH_HELP)
    health_detail = serializers.SerializerMethodField(
        help_text="What a person reads about the health (since when, until when, why); empty when ok."
    )
    last_error_at = serializers.DateTimeField(read_only=True, allow_null=True)
    refresh_failing_since = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When token refreshes started failing for a passing reason."
    )
    next_refresh_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a failing refresh is tried again."
    )
    spam_blocked_until = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="No pins are created for this account before then."
    )

    @extend_schema_field(serializers.ChoiceField(choices=Health.choices))
    def get_health(self, connection: PinterestConnection) -> str:
        return connection.health()[0]

    def get_health_detail(self, connection: PinterestConnection) -> str:
        return connection.health()[1]


class ConnectionFilterSerializer(serializers.Serializer):
    health = serializers.ChoiceField(
        choices=Health.choices, required=False, help_text="Only connections of this health."
    )


class BoardSectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Give it as a pin's board_section.")
    pinterest_section_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    is_archived = serializers.BooleanField(
        read_only=True, help_text="Gone from Pinterest at the last sync; pins cannot use it."
    )


class BoardSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    connection = serializers.IntegerField(source="connection_id", read_only=True)
    pinterest_board_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    privacy = serializers.CharField(read_only=True)
    is_archived = serializers.BooleanField(
        read_only=True, help_text="Gone from Pinterest at the last sync; pins cannot use it."
    )
    synced_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sections = BoardSectionSerializer(source="sections.all", many=True, read_only=True,
                                      help_text="The board's sections (synced with the board).")


class BoardFilterSerializer(serializers.Serializer):
    connection = IdField(required=False, help_text="Only this connection's boards.")
    is_archived = serializers.BooleanField(
        required=False, help_text="true: only archived boards; false: only usable ones."
    )
