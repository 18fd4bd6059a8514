"""Everything under /api/: the apps' API routes and the OpenAPI schema."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pinpublisher.api import api_not_found

urlpatterns = [
    path("", include("publishing.urls")),
    path("", include("pinterest.api_urls")),
    path("", include("apikeys.urls")),
    path("", include("webhooks.urls")),
    path("", include("analytics.urls")),
    path("", include("feeds.urls")),
    path("", include("designs.urls")),
    path("", include("autopilot.urls")),
    path("", include("accounts.api_urls")),
    path("", include("audit.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Any other /api/ URL: a 404 in the API's JSON error format, not Django's HTML page.
    re_path(r"", api_not_found, name="api-not-found"),
]
