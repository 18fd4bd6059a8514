"""REST routes of the analytics app, under /api/ (included by name from ``pinpublisher.api_urls``)."""

from django.urls import path

from analytics import api, api_posting_times

urlpatterns = [
    path("projects/<int:project_id>/analytics/", api.ProjectAnalyticsApi.as_view(), name="api-project-analytics"),
    path("pins/<uuid:pin_id>/analytics/", api.PinAnalyticsApi.as_view(), name="api-pin-analytics"),
    path(
        "connections/<int:connection_id>/sync-analytics/",
        api.ConnectionSyncAnalyticsApi.as_view(),
        name="api-connection-sync-analytics",
    ),
    path("projects/<int:project_id>/posting-times/", api_posting_times.PostingTimesApi.as_view(),
         name="api-project-posting-times"),
    path("projects/<int:project_id>/posting-times/apply/", api_posting_times.PostingTimesApplyApi.as_view(),
         name="api-project-posting-times-apply"),
]
