"""REST endpoints for a tenant's Pinterest connections and boards (read-only here).

Connection actions (refresh, sync-boards, DELETE = disconnect) belong in these classes
(``ConnectionDetailApi.delete``) or next to them, routed in ``pinterest/api_urls.py``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    TenantApi,
    error_responses,
    get_or_404,
    paginated,
    paginated_response,
    parse_query,
)
from pinterest.api_actions import ConnectionDisconnectMixin
from pinterest.selectors import boards_for_tenant, connections_for_tenant, connections_for_tenant_by_health
from pinterest.serializers import (
    BoardFilterSerializer,
    BoardSerializer,
    ConnectionFilterSerializer,
    ConnectionSerializer,
)

# --- Endpoints -------------------------------------------------------------------------------


class ConnectionsApi(TenantApi):
    @extend_schema(
        operation_id="connections_list",
        tags=["connections"],
        parameters=[ConnectionFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(ConnectionSerializer), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(ConnectionFilterSerializer, request.query_params)
        return paginated_response(
            queryset=connections_for_tenant_by_health(tenant=self.tenant, health=filters.get("health")),
            serializer_class=ConnectionSerializer,
            request=request,
            view=self,
        )


class ConnectionDetailApi(ConnectionDisconnectMixin, TenantApi):
    write_scope = Scope.CONNECTIONS_WRITE

    @extend_schema(
        operation_id="connections_retrieve",
        tags=["connections"],
        responses={200: ConnectionSerializer, **error_responses(404)},
    )
    def get(self, request: Request, connection_id: int) -> Response:
        connection = get_or_404(
            connections_for_tenant(tenant=self.tenant), label="Connection", pk=connection_id
        )
        return Response(ConnectionSerializer(connection).data)


class BoardsApi(TenantApi):
    @extend_schema(
        operation_id="boards_list",
        tags=["boards"],
        parameters=[BoardFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(BoardSerializer), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(BoardFilterSerializer, request.query_params)
        boards = boards_for_tenant(
            tenant=self.tenant,
            connection_id=filters.get("connection"),
            is_archived=filters.get("is_archived"),
        )
        return paginated_response(
            queryset=boards, serializer_class=BoardSerializer, request=request, view=self
        )


class BoardDetailApi(TenantApi):
    @extend_schema(
        operation_id="boards_retrieve",
        tags=["boards"],
        responses={200: BoardSerializer, **error_responses(404)},
    )
    def get(self, request: Request, board_id: int) -> Response:
        board = get_or_404(boards_for_tenant(tenant=self.tenant), label="Board", pk=board_id)
        return Response(BoardSerializer(board).data)
