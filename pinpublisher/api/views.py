"""``TenantApi``, the base of every endpoint, and ``get_or_404``.

Authentication: ``Authorization: Token <key>`` with an API key (the request acts as the key's
owner, within the key's scopes), or a session (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``).
A key needs, for every request, the scope its view names: ``read`` for GET, HEAD and OPTIONS,
the view's ``write_scope`` for the other methods; a key without it gets 403
``insufficient_scope`` naming the scope (``apikeys.authentication.HasRequiredScope``, in
``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``). Requests are throttled per key and per user.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from pinpublisher import logs
from pinpublisher.api.parsers import PARSER_CLASSES
from pinpublisher.api.parsing import refuse_a_body_where_none_is_taken
from pinpublisher.api.permissions import IsTenantMember, tenant_of
from pinpublisher.api.throttling import ApiKeyRateThrottle, UserRateThrottle

M = TypeVar("M", bound=Model)


# The base of every tenant-scoped endpoint: authenticated, member of a tenant, within the key's
# scopes, throttled per user and per key. (A comment, not a docstring: the schema would show a
# docstring as every endpoint's text.)
class TenantApi(APIView):
    # REST_FRAMEWORK names by dotted path what comes from apikeys, so the project's plumbing
    # imports no app: the authentication (an API key, or a session), the permissions after the
    # tenant's (signed in, and a key's scope: apikeys.authentication.HasRequiredScope) and the
    # schema that states each operation's scope. IsTenantMember goes first: it refuses whoever
    # IsAuthenticated refuses (DRF answers both 401), and a member's key is judged on its scope
    # after. The rest is set here rather than in settings: DRF reads those while defining
    # APIView, before this module could be imported.
    parser_classes = PARSER_CLASSES
    permission_classes = [IsTenantMember, *api_settings.DEFAULT_PERMISSION_CLASSES]
    throttle_classes = [UserRateThrottle, ApiKeyRateThrottle]

    #: The scope an API key needs for this view's POST, PUT, PATCH and DELETE (GET needs ``read``);
    #: ``HasRequiredScope`` reads it, and a system check refuses a view that writes without one.
    write_scope: str | None = None

    # Any, as apikeys' and webhooks' selectors take a tenant: it is publishing's Tenant, which the
    # project package cannot name (project-imports-no-app), and the views hand it to the apps'
    # services, which can. IsTenantMember has let the request in, so it is never None here.
    @property
    def tenant(self) -> Any:
        return tenant_of(self.request.user)

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        logs.bind(tenant=getattr(self.tenant, "pk", None))  # the caller is known now: its logs name the tenant
        if request.method not in SAFE_METHODS:
            # The body is judged (parsed within its bounds, pinpublisher.api.parsers) before anything
            # is looked up: a body no endpoint could read is a 400 whatever the id in the URL.
            request.data  # noqa: B018
        refuse_a_body_where_none_is_taken(self, request)


def get_or_404(queryset: QuerySet[M], *, label: str, **lookup: object) -> M:
    """One object of an already tenant-scoped queryset, or a 404 that names what was asked for."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:  # the model's DoesNotExist: the only one .get raises
        ident = next(iter(lookup.values()), "")
        raise exceptions.NotFound(f"{label} {ident} not found.") from None
