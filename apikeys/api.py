"""REST endpoints for a tenant's API keys: list, create (the key is in that answer only), read
one, revoke. Thin: parse, call one service or selector, serialize. No answer but the create's
ever carries a key; none carries its hash."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys import selectors, services
from apikeys.models import ApiKey
from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    AwareDateTimeField,
    ReadOnlyFields,
    TenantApi,
    error_responses,
    get_or_404,
    paginated,
    paginated_response,
    parse,
)

# Never stored, never cached on the way: the one answer that holds a whole key.
NO_STORE = {"Cache-Control": "no-store"}


class ApiKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters: how to recognise it. Never the key.")
    owner = serializers.CharField(source="owner.username", help_text="The user the key acts as.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="Recorded at most once a minute.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    def get_is_active(self, api_key: ApiKey) -> bool:
        return api_key.is_active()


class ApiKeyCreatedSerializer(ApiKeySerializer):
    """A key just created, with the whole key (given in the context: no model holds it)."""

    key = serializers.SerializerMethodField(
        help_text="The whole key, for `Authorization: Token <key>`. Shown in this answer only: it is "
        "stored as a hash and cannot be shown again. Store it now."
    )

    def get_key(self, api_key: ApiKey) -> str:
        return self.context["key"]


class ApiKeyInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(ApiKeyCreatedSerializer)

    name = serializers.CharField(max_length=100, help_text="What the key is for.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices),
        min_length=1,
        help_text="What the key may do. A key can grant only scopes it has itself.",
    )
    expires_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When the key stops working; absent or null: never. A key that expires can create "
        "only keys that expire no later.",
    )


class ApiKeysApi(TenantApi):
    write_scope = Scope.KEYS_WRITE

    @extend_schema(
        operation_id="keys_list",
        tags=["keys"],
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(ApiKeySerializer), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.api_keys_for_tenant(tenant=self.tenant),
            serializer_class=ApiKeySerializer,
            request=request,
            view=self,
        )

    @extend_schema(
        operation_id="keys_create",
        tags=["keys"],
        description="Creates a key acting as you, in your tenant. The answer holds the whole key, "
        "once: store it now.",
        request=ApiKeyInputSerializer,
        responses={201: ApiKeyCreatedSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ApiKeyInputSerializer, request.data)
        created = services.api_key_create(
            tenant=self.tenant,
            owner=request.user,
            granted_by=request.auth if isinstance(request.auth, ApiKey) else None,
            **data,
        )
        body = ApiKeyCreatedSerializer(created.api_key, context={"key": created.key}).data
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


class ApiKeyDetailApi(TenantApi):
    write_scope = Scope.KEYS_WRITE

    def get_api_key(self, api_key_id: int) -> ApiKey:
        return get_or_404(selectors.api_keys_for_tenant(tenant=self.tenant), label="API key", pk=api_key_id)

    @extend_schema(
        operation_id="keys_retrieve",
        tags=["keys"],
        responses={200: ApiKeySerializer, **error_responses(404)},
    )
    def get(self, request: Request, api_key_id: int) -> Response:
        return Response(ApiKeySerializer(self.get_api_key(api_key_id)).data)

    @extend_schema(
        operation_id="keys_revoke",
        tags=["keys"],
        summary="Revoke the key",
        description="The key fails its very next request. The key stays listed, with `revoked_at`; "
        "revoking it again changes nothing.",
        responses={200: ApiKeySerializer, **error_responses(404)},
    )
    def delete(self, request: Request, api_key_id: int) -> Response:
        api_key = services.api_key_revoke(api_key_id=self.get_api_key(api_key_id).pk)
        return Response(ApiKeySerializer(api_key).data)
