"""``TenantApi``, the base of every endpoint, and ``get_or_404``.

Authentication: ``Authorization: Token <key>`` with an API key (the request acts as the key's
owner, within the key's scopes), or a session (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``).
A key needs, for every request, the scope its view names: ``read`` for GET, HEAD and OPTIONS,
the view's ``write_scope`` for the other methods; a key without it gets 403
``insufficient_scope`` naming the scope. Requests are throttled per key and per user.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apikeys.authentication import HasRequiredScope
from apikeys.scopes import SAFE_METHODS, Scope
from pinpublisher.api.parsers import PARSER_CLASSES
from pinpublisher.api.parsing import refuse_a_body_where_none_is_taken
from pinpublisher.api.permissions import IsTenantMember, tenant_of
from pinpublisher.api.schema import ScopedAutoSchema
from pinpublisher.api.throttling import ApiKeyRateThrottle, UserRateThrottle


# The base of every tenant-scoped endpoint: authenticated, member of a tenant, within the key's
# scopes, throttled per user and per key. (A comment, not a docstring: the schema would show a
# docstring as every endpoint's text.)
class TenantApi(APIView):
    # authentication_classes: REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES (an API key, or a
    # session), named there by dotted path so the project's plumbing imports no app. The rest is
    # set here rather than in settings: DRF reads those while defining APIView, before this
    # module could be imported.
    parser_classes = PARSER_CLASSES
    permission_classes = [IsAuthenticated, IsTenantMember, HasRequiredScope]
    throttle_classes = [UserRateThrottle, ApiKeyRateThrottle]
    schema = ScopedAutoSchema()

    #: The scope an API key needs for this view's POST, PUT, PATCH and DELETE (GET needs ``read``).
    write_scope: str | None = None

    @property
    def tenant(self):
        return tenant_of(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            # The body is judged (parsed within its bounds, pinpublisher.api.parsers) before anything
            # is looked up: a body no endpoint could read is a 400 whatever the id in the URL.
            request.data  # noqa: B018
        refuse_a_body_where_none_is_taken(self, request)

    def required_scope(self, method: str) -> str | None:
        """The scope a key needs to call ``method`` here; None for a method the view does not
        have (it answers 405). Raises ImproperlyConfigured for a write without ``write_scope``."""
        if method.upper() in SAFE_METHODS:
            return Scope.READ
        if not hasattr(self, method.lower()):
            return None
        if self.write_scope is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has {method.upper()} but names no write_scope.")
        return self.write_scope


def get_or_404(queryset, *, label: str, **lookup):
    """One object of an already tenant-scoped queryset, or a 404 that names what was asked for."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        ident = next(iter(lookup.values()), "")
        raise exceptions.NotFound(f"{label} {ident} not found.") from None
