"""How the OpenAPI schema describes API key authentication (drf-spectacular extension).

OpenAPI 3.0 lets only OAuth schemes list scopes in a security requirement, so the scope each
operation needs is stated by ``pinpublisher.api.ScopedAutoSchema`` (``x-required-scope`` and
the description) rather than here.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API key, sent as `Token <key>`. Each operation states the scope the key "
            "needs (`x-required-scope`); a key without it gets 403 `insufficient_scope`.",
        }
