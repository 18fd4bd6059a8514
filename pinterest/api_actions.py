"""REST actions on a tenant's Pinterest connection: refresh its tokens, sync its boards,
disconnect it. Thin: look the connection up in the caller's tenant (another tenant's is a
404), call one service, present the result. No answer ever carries a token.

Routes (wired in ``pinterest/api_urls.py``):

- ``POST /api/connections/{id}/refresh/``      -> ``ConnectionRefreshApi``
- ``POST /api/connections/{id}/sync-boards/``  -> ``ConnectionSyncBoardsApi``
- ``DELETE /api/connections/{id}/``            -> ``ConnectionDisconnectMixin.delete`` (mixed into
  the detail view, ``pinterest.api.ConnectionDetailApi``)
"""

import math
from typing import Protocol

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import ErrorSerializer, TenantApi, error_responses, get_or_404, no_input
from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable, TokenRefreshFailed
from pinterest.models import PinterestConnection, TenantRef
from pinterest.services.boards import boards_sync
from pinterest.services.connect import PINTEREST_APPS_SETTINGS_URL, connection_disconnect
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens
from pinterest.services.refresh_waits import RefreshPatience

_PINTEREST_FAILED = {
    502: OpenApiResponse(ErrorSerializer, description="Pinterest failed or could not be reached (`pinterest_error`).")
}


def _connection(tenant: TenantRef, connection_id: int) -> PinterestConnection:
    return get_or_404(PinterestConnection.objects.filter(tenant=tenant), label="Connection", pk=connection_id)


class ConnectionTokensSerializer(serializers.Serializer):
    """A connection's token health after a refresh: expiries, never the tokens."""

    id = serializers.IntegerField()
    is_active = serializers.BooleanField()
    access_token_expires_at = serializers.DateTimeField(allow_null=True)
    refresh_token_expires_at = serializers.DateTimeField(allow_null=True)
    last_refreshed_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()


class BoardSyncSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Boards new on Pinterest since the last sync.")
    updated = serializers.IntegerField(help_text="Boards renamed or changed, or back after being archived.")
    archived = serializers.IntegerField(help_text="Boards gone from Pinterest; their pins keep their history.")
    total = serializers.IntegerField(help_text="Boards the account has on Pinterest now.")


class DisconnectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_active = serializers.BooleanField()
    message = serializers.CharField(help_text="What was done, and where to remove the app on Pinterest.")
    pinterest_apps_url = serializers.URLField()


class ConnectionRefreshApi(TenantApi):
    write_scope = Scope.CONNECTIONS_WRITE
    #: How long Pinterest asked to wait, for the 503's Retry-After (set by ``post``).
    retry_after: float | None = None

    @extend_schema(
        operation_id="connections_refresh",
        tags=["connections"],
        request=None,
        summary="Refresh the connection's tokens now",
        description="Trades the stored refresh token for a new access token and a new refresh token. "
        "If Pinterest refuses, the connection becomes inactive (409, `token_refresh_failed`) and must "
        "be reconnected; an inactive connection answers 409 `connection_inactive`. If Pinterest cannot be "
        "reached or fails (5xx), the connection stays active, the refresh is tried again automatically, "
        "and the answer is 503 `connection_refresh_failing`. The request waits at most "
        "`TOKEN_REFRESH_MAX_WAIT_SECONDS` (15 s) in all for retries; when Pinterest asks to wait longer "
        "the 503 comes at once, with a `Retry-After` header and a message saying when to try again.",
        responses={200: ConnectionTokensSerializer, **error_responses(404, 409, 503)},
    )
    @no_input
    def post(self, request: Request, connection_id: int) -> Response:
        connection = _connection(self.tenant, connection_id)
        outcome = connection_refresh_tokens(connection_id=connection.pk, patience=RefreshPatience())
        self.retry_after = outcome.retry_after
        if outcome.status == RefreshOutcome.SKIPPED:
            raise ConnectionUnusable(outcome.error)
        if outcome.status == RefreshOutcome.FAILED:
            raise TokenRefreshFailed(outcome.error)
        if outcome.status == RefreshOutcome.RETRYING:
            raise ConnectionRefreshFailing(outcome.error)
        connection.refresh_from_db(
            fields=["is_active", "access_token_expires_at", "refresh_token_expires_at", "last_refreshed_at",
                    "last_error"]
        )
        return Response(ConnectionTokensSerializer(connection).data)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, ConnectionRefreshFailing) and self.retry_after is not None:
            # Pinterest said how long to wait: so does the answer (RFC 9110 Retry-After, whole seconds).
            response["Retry-After"] = str(math.ceil(self.retry_after))
        return response


class ConnectionSyncBoardsApi(TenantApi):
    write_scope = Scope.CONNECTIONS_WRITE

    @extend_schema(
        operation_id="connections_sync_boards",
        tags=["connections"],
        request=None,
        summary="Sync the connection's boards from Pinterest",
        description="New boards are added, renamed ones updated, boards gone from Pinterest archived.",
        responses={200: BoardSyncSerializer, **error_responses(404, 409), **_PINTEREST_FAILED},
    )
    @no_input
    def post(self, request: Request, connection_id: int) -> Response:
        connection = _connection(self.tenant, connection_id)
        result = boards_sync(connection_id=connection.pk)
        return Response(BoardSyncSerializer(result.as_dict()).data)


class _TenantView(Protocol):
    """What ``ConnectionDisconnectMixin`` needs of the view it is mixed into (``TenantApi``)."""

    @property
    def tenant(self) -> TenantRef: ...


class ConnectionDisconnectMixin:
    """``DELETE`` on a connection: its tokens are deleted, it becomes inactive, its boards and
    pins stay. Mix into the tenant-scoped detail view (before ``TenantApi``)."""

    @extend_schema(
        operation_id="connections_disconnect",
        tags=["connections"],
        summary="Disconnect the Pinterest account",
        description="Deletes the stored tokens and marks the connection inactive; boards and pins stay. "
        "Pinterest has no way for an app to revoke a token: the message says where the person removes "
        "the app on Pinterest.",
        responses={200: DisconnectSerializer, **error_responses(404)},
    )
    def delete(self: _TenantView, request: Request, connection_id: int) -> Response:
        connection = _connection(self.tenant, connection_id)
        message = connection_disconnect(connection_id=connection.pk)
        return Response(
            DisconnectSerializer(
                {
                    "id": connection.pk,
                    "is_active": False,
                    "message": message,
                    "pinterest_apps_url": PINTEREST_APPS_SETTINGS_URL,
                }
            ).data
        )
