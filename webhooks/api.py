"""REST endpoints of the webhooks app, under /api/webhooks/.

Thin views: parse, call one service or selector, serialize. Tenant scoping, the error format
and the mapping of domain errors to HTTP come from ``pinpublisher.api``. The signing secret
appears in two answers only, each once: the endpoint's creation and a rotation.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    TenantApi,
    error_responses,
    get_or_404,
    no_input,
    paginated,
    paginated_response,
    parse,
    parse_query,
)
from webhooks import selectors
from webhooks.models import Delivery, Endpoint
from webhooks.serializers import (
    DeliveryDetailSerializer,
    DeliveryFilterSerializer,
    DeliverySerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    SecretRotatedSerializer,
)
from webhooks.services import delivery as delivery_services
from webhooks.services import endpoints as endpoint_services

TAGS = ["webhooks"]


class _WebhooksApi(TenantApi):
    write_scope = Scope.WEBHOOKS_WRITE


class _EndpointApi(_WebhooksApi):
    def get_endpoint(self, endpoint_id: int) -> Endpoint:
        return get_or_404(selectors.endpoints_for_tenant(tenant=self.tenant), label="Webhook endpoint", pk=endpoint_id)


class WebhooksApi(_WebhooksApi):
    @extend_schema(
        operation_id="webhooks_list", tags=TAGS, parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(EndpointSerializer), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.endpoints_for_tenant(tenant=self.tenant), serializer_class=EndpointSerializer,
            request=request, view=self,
        )

    @extend_schema(
        operation_id="webhooks_create", tags=TAGS, request=EndpointInputSerializer,
        description="Registers an endpoint. The answer carries its signing `secret`, shown this once. At most "
        "WEBHOOKS_MAX_ENDPOINTS_PER_TENANT endpoints per tenant (409 `endpoint_limit_reached`).",
        responses={201: EndpointCreatedSerializer, **error_responses(400, 409, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(EndpointInputSerializer, request.data)
        created = endpoint_services.endpoint_create(tenant=self.tenant, **data)
        body = {**EndpointSerializer(created.endpoint).data, "secret": created.secret}
        return Response(EndpointCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(_EndpointApi):
    @extend_schema(operation_id="webhooks_retrieve", tags=TAGS, responses={200: EndpointSerializer,
                                                                          **error_responses(404)})
    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(EndpointSerializer(self.get_endpoint(endpoint_id)).data)

    @extend_schema(
        operation_id="webhooks_partial_update", tags=TAGS, request=EndpointInputSerializer,
        description="Changes the fields sent. `is_active: true` enables a disabled endpoint (its failures are "
        "forgotten and its pending deliveries sent); `false` stops deliveries until it is enabled.",
        responses={200: EndpointSerializer, **error_responses(400, 404, 415)},
    )
    def patch(self, request: Request, endpoint_id: int) -> Response:
        endpoint = self.get_endpoint(endpoint_id)
        data = parse(EndpointInputSerializer, request.data, partial=True)
        return Response(EndpointSerializer(endpoint_services.endpoint_update(endpoint=endpoint, data=data)).data)

    @extend_schema(
        operation_id="webhooks_destroy", tags=TAGS,
        description="Deletes the endpoint, its secrets and its deliveries.",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(404)},
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        endpoint_services.endpoint_delete(endpoint=self.get_endpoint(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretApi(_EndpointApi):
    @extend_schema(
        operation_id="webhooks_rotate", tags=TAGS, request=None,
        summary="Make a new signing secret",
        description="The answer carries the new secret, shown this once. The previous secret keeps signing for "
        "WEBHOOKS_SECRET_OVERLAP_HOURS (24 h): meanwhile every delivery carries both signatures.",
        responses={200: SecretRotatedSerializer, **error_responses(404)},
    )
    @no_input
    def post(self, request: Request, endpoint_id: int) -> Response:
        rotated = endpoint_services.endpoint_rotate_secret(endpoint=self.get_endpoint(endpoint_id))
        body = {"id": rotated.endpoint.pk, "secret": rotated.secret,
                "overlap_ends_at": rotated.previous_expires_at}
        return Response(SecretRotatedSerializer(body).data)


class WebhookDeliveriesApi(_EndpointApi):
    @extend_schema(
        operation_id="webhooks_deliveries_list", tags=TAGS,
        parameters=[DeliveryFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(DeliverySerializer), **error_responses(400, 404)},
    )
    def get(self, request: Request, endpoint_id: int) -> Response:
        endpoint = self.get_endpoint(endpoint_id)
        filters = parse_query(DeliveryFilterSerializer, request.query_params)
        deliveries = selectors.deliveries_for_endpoint(endpoint=endpoint, status=filters.get("status"))
        return paginated_response(queryset=deliveries, serializer_class=DeliverySerializer, request=request,
                                  view=self)


class _DeliveryApi(_EndpointApi):
    def get_delivery(self, endpoint_id: int, delivery_id: int) -> Delivery:
        deliveries = selectors.deliveries_with_attempts(endpoint=self.get_endpoint(endpoint_id))
        return get_or_404(deliveries, label="Delivery", pk=delivery_id)


class WebhookDeliveryDetailApi(_DeliveryApi):
    @extend_schema(
        operation_id="webhooks_deliveries_retrieve", tags=TAGS,
        responses={200: DeliveryDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, endpoint_id: int, delivery_id: int) -> Response:
        return Response(DeliveryDetailSerializer(self.get_delivery(endpoint_id, delivery_id)).data)


class WebhookRedeliverApi(_DeliveryApi):
    @extend_schema(
        operation_id="webhooks_deliveries_redeliver", tags=TAGS, request=None,
        summary="Send a delivery again",
        description="Queues the delivery to be sent again now, whatever its state, with a fresh retry window. "
        "409 `endpoint_disabled` while the endpoint is disabled.",
        responses={202: DeliverySerializer, **error_responses(404, 409)},
    )
    @no_input
    def post(self, request: Request, endpoint_id: int, delivery_id: int) -> Response:
        delivery = self.get_delivery(endpoint_id, delivery_id)
        delivery = delivery_services.delivery_redeliver(delivery=delivery, now=timezone.now())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
