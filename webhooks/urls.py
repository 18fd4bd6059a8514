"""REST routes of the webhooks app, under /api/."""

from django.urls import path

from webhooks import api

urlpatterns = [
    path("webhooks/", api.WebhooksApi.as_view(), name="api-webhook-list"),
    path("webhooks/<int:endpoint_id>/", api.WebhookDetailApi.as_view(), name="api-webhook-detail"),
    path(
        "webhooks/<int:endpoint_id>/rotate-secret/", api.WebhookRotateSecretApi.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/", api.WebhookDeliveriesApi.as_view(), name="api-webhook-delivery-list"
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/", api.WebhookDeliveryDetailApi.as_view(),
        name="api-webhook-delivery-detail",
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/", api.WebhookRedeliverApi.as_view(),
        name="api-webhook-delivery-redeliver",
    ),
]
