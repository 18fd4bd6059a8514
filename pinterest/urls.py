"""Browser views of the Pinterest app (OAuth connect and callback), under /pinterest/.

Register ``https://<host>/pinterest/callback/`` as the app's redirect URI on Pinterest and
set ``PINTEREST_REDIRECT_URI`` to exactly that.
"""

from django.urls import path

from pinterest import views

app_name = "pinterest"
urlpatterns = [
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
]
