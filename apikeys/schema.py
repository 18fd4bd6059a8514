"""How the OpenAPI schema describes API keys (drf-spectacular): the scheme, and the scope each
operation needs.

OpenAPI 3.0 lets only OAuth schemes list scopes in a security requirement, so the scope each
operation needs is stated by ``ScopedAutoSchema`` (``x-required-scope`` and the description),
the API's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``), rather than in the scheme.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry

from apikeys.authentication import HasRequiredScope, scope_required


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API key, sent as `Token <key>`. Each operation states the scope the key "
            "needs (`x-required-scope`); a key without it gets 403 `insufficient_scope`.",
        }


class ScopedAutoSchema(AutoSchema):
    """drf-spectacular's schema, stating the scope an API key needs for each operation of a view
    that checks it (``HasRequiredScope``): as ``x-required-scope`` and at the end of the
    operation's description."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> dict[str, object] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        checks_scope = any(isinstance(permission, HasRequiredScope) for permission in self.view.get_permissions())
        scope = scope_required(self.view, self.method) if checks_scope else None
        if scope is not None:
            operation["x-required-scope"] = scope
            note = f"API key scope: `{scope}` (a signed-in session needs none)."
            operation["description"] = f"{operation['description']}\n\n{note}" if operation.get("description") else note
        return operation
