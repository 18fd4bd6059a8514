"""REST route of the audit app, under /api/ (included by name from ``pinpublisher.api_urls``)."""

from django.urls import path

from audit import api

urlpatterns = [
    path("audit/", api.AuditEventListApi.as_view(), name="api-audit"),
]
