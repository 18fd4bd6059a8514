"""Serializers of the connections and boards API.

A connection is presented by what a person needs to judge its health; its tokens never
leave the server: only ``has_access_token`` / ``has_refresh_token`` say whether they are set
(read without decrypting them).
"""

from rest_framework import serializers

from pinpublisher.api import IdField


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


class BoardFilterSerializer(serializers.Serializer):
    connection = IdField(required=False, help_text="Only this connection's boards.")
    is_archived = serializers.BooleanField(
        required=False, help_text="true: only archived boards; false: only usable ones."
    )
