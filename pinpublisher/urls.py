from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from pinpublisher.admin_scoping import view_on_site
from pinpublisher.conf import project_settings

urlpatterns = [
    # The planner for its members (its login first), the admin for operators (planner.views.home).
    path("", RedirectView.as_view(pattern_name="planner:home", permanent=False)),
    # Before the admin's own: its "view on site" shortcut, scoped to what the user may see.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("api/", include("pinpublisher.api_urls")),
    path("pinterest/", include("pinterest.urls")),
    # The planner (tenant members' pages); included by name, so the project imports no app.
    # The account pages (two-factor, log out everywhere, invitations), by name like the planner.
    path("planner/account/", include("accounts.urls")),
    path("planner/autopilot/", include("autopilot.page_urls")),
    path("planner/", include("planner.urls")),
    # /metrics, /healthz, /readyz (ops/), by name like the planner.
    path("", include("ops.urls")),
]

# Under /api/ errors answer in the API's JSON format, elsewhere with Django's pages.
handler400 = "pinpublisher.api.bad_request"
handler403 = "pinpublisher.api.permission_denied"
handler404 = "pinpublisher.api.page_not_found"
handler500 = "pinpublisher.api.server_error"

if project_settings.DEBUG:
    urlpatterns += static(project_settings.MEDIA_URL, document_root=project_settings.MEDIA_ROOT)
