"""REST routes of autopilot, under /api/ (included by name from ``pinpublisher.api_urls``)."""

from django.urls import path

from autopilot import api

urlpatterns = [
    path("projects/<int:project_id>/autopilot/", api.AutopilotRuleApi.as_view(), name="api-project-autopilot"),
]
