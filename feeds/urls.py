"""REST routes of the feeds app, under /api/."""

from django.urls import path

from feeds import api

urlpatterns = [
    path("projects/<int:project_id>/feeds/", api.ProjectFeedsApi.as_view(), name="api-project-feeds"),
    path("projects/<int:project_id>/feed-health/", api.ProjectFeedHealthApi.as_view(), name="api-project-feed-health"),
    path("feeds/<int:feed_id>/", api.FeedDetailApi.as_view(), name="api-feed-detail"),
]
