"""The API's OpenAPI schema: each operation states the scope an API key needs."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema


class ScopedAutoSchema(AutoSchema):
    """drf-spectacular's schema, stating the scope an API key needs for each operation: as
    ``x-required-scope`` and at the end of the operation's description."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        scope = self.view.required_scope(self.method) if operation is not None else None
        if scope is not None:
            operation["x-required-scope"] = scope
            note = f"API key scope: `{scope}` (a signed-in session needs none)."
            operation["description"] = f"{operation['description']}\n\n{note}" if operation.get("description") else note
        return operation
