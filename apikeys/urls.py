"""REST routes of the API keys, under /api/."""

from django.urls import path

from apikeys import api

urlpatterns = [
    path("keys/", api.ApiKeysApi.as_view(), name="api-key-list"),
    path("keys/<int:api_key_id>/", api.ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
