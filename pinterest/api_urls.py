"""REST routes of the Pinterest app (connections and boards), under /api/.

Connection actions (``connections/<id>/refresh/``, ``connections/<id>/sync-boards/``) go in
the marked place; DELETE (disconnect) is a method of ``ConnectionDetailApi``.
"""

from django.urls import path

from pinterest import api, api_actions

urlpatterns = [
    path("connections/", api.ConnectionsApi.as_view(), name="api-connection-list"),
    path(
        "connections/<int:connection_id>/",
        api.ConnectionDetailApi.as_view(),
        name="api-connection-detail",
    ),
    path(
        "connections/<int:connection_id>/refresh/",
        api_actions.ConnectionRefreshApi.as_view(),
        name="api-connection-refresh",
    ),
    path(
        "connections/<int:connection_id>/sync-boards/",
        api_actions.ConnectionSyncBoardsApi.as_view(),
        name="api-connection-sync-boards",
    ),
    path("boards/", api.BoardsApi.as_view(), name="api-board-list"),
    path("boards/<int:board_id>/", api.BoardDetailApi.as_view(), name="api-board-detail"),
]
