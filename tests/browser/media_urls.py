"""The project's URLs and the uploaded files, for browser tests: Django's test server serves the
static files but not MEDIA_ROOT (the project adds that only with DEBUG on, when its URLconf loads),
and a page that shows a stored image needs it. MEDIA_ROOT is read per request (each test has its own)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from pinpublisher.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *urlpatterns]
