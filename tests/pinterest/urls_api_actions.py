"""The connection actions of pinterest/api_actions.py at their intended paths, for their tests
(the project's pinterest/api_urls.py wires them into /api/)."""

from django.urls import path

from pinterest.api_actions import ConnectionDisconnectApi, ConnectionRefreshApi, ConnectionSyncBoardsApi

urlpatterns = [
    path("api/connections/<int:connection_id>/", ConnectionDisconnectApi.as_view()),
    path("api/connections/<int:connection_id>/refresh/", ConnectionRefreshApi.as_view()),
    path("api/connections/<int:connection_id>/sync-boards/", ConnectionSyncBoardsApi.as_view()),
]
