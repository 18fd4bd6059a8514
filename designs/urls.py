"""REST routes of pin designs, under /api/ (included by name from ``pinpublisher.api_urls``)."""

from django.urls import path

from designs import api

urlpatterns = [
    path("projects/<int:project_id>/design-style/", api.DesignStyleApi.as_view(), name="api-project-design-style"),
    path("articles/<int:article_id>/designs/<str:template>.png", api.DesignImageApi.as_view(),
         name="api-article-design-image"),
    path("articles/<int:article_id>/designs/pins/", api.DesignPinsApi.as_view(), name="api-article-design-pins"),
]
