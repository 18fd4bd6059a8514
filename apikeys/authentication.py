"""DRF's side of API keys: ``Authorization: Token <key>`` authenticates, scopes permit.

``ApiKeyAuthentication`` reads the key, its owner, the owner's membership and tenant in one
query (``services.api_key_authenticate``) and makes the request act as the owner with the key
as ``request.auth``. A refused key is logged with its prefix and the client's address, never
more of the key. ``HasRequiredScope`` refuses a key that lacks the scope the request needs
(``scope_required``: ``read`` for GET, HEAD and OPTIONS, the view's ``write_scope`` for the
other methods; 403 ``insufficient_scope``); a session (a person in the browser) is not limited
by scopes. Both are named in ``REST_FRAMEWORK`` by dotted path, so the project's views import
no app.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from apikeys.errors import ApiKeyRejected, InsufficientScope
from apikeys.models import ApiKey
from apikeys.scopes import SAFE_METHODS, Scope
from apikeys.services import api_key_authenticate

if TYPE_CHECKING:
    # Only for the annotations: DRF imports this module while it defines APIView.
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

KEYWORD = "Token"


def client_address(request: Request) -> str:
    """The client's address as DRF's throttles see it (``NUM_PROXIES`` decides whether
    X-Forwarded-For is believed)."""
    return BaseThrottle().get_ident(request) or "unknown"


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Token <key>``: the request acts as the key's owner; ``request.auth``
    is the ``ApiKey``."""

    @method_decorator(sensitive_variables("parts", "key"))
    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        try:
            if len(parts) != 2:
                raise ApiKeyRejected(
                    "Invalid Authorization header: give `Token <key>`, the key without spaces.", reason="malformed"
                )
            try:
                key = parts[1].decode("ascii")
            except UnicodeDecodeError:
                raise ApiKeyRejected("Invalid API key.", reason="malformed") from None
            api_key = api_key_authenticate(key=key)
        except ApiKeyRejected as exc:
            raise self._refused(request, exc) from None
        return (api_key.owner, api_key)

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD

    @staticmethod
    def _refused(request: Request, exc: ApiKeyRejected) -> exceptions.AuthenticationFailed:
        # repr: a prefix is whatever the client sent, so it is quoted and escaped in the log.
        logger.warning(
            "API key refused (%s): prefix %s from %s",
            exc.reason,
            repr(exc.prefix) if exc.prefix else "-",
            client_address(request),
        )
        return exceptions.AuthenticationFailed(str(exc))


def scope_required(view: APIView, method: str) -> str | None:
    """The scope a key needs to call ``method`` on ``view``: ``read`` for GET, HEAD and OPTIONS,
    the view's ``write_scope`` for the other methods; None for a method the view does not have
    (it answers 405). Raises ImproperlyConfigured for a write on a view without ``write_scope``
    (the system check ``apikeys.E001`` says so at start)."""
    if method.upper() in SAFE_METHODS:
        return Scope.READ
    if not hasattr(view, method.lower()):
        return None
    write_scope: str | None = getattr(view, "write_scope", None)
    if write_scope is None:
        raise ImproperlyConfigured(f"{type(view).__name__} has {method.upper()} but names no write_scope.")
    return write_scope


class HasRequiredScope(BasePermission):
    """A request made with a key needs the scope ``scope_required(view, method)`` names."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True
        scope = scope_required(view, request.method)
        if scope is not None and not api_key.allows(scope):
            raise InsufficientScope(
                f"This API key lacks the scope {scope}, which {request.method} {request.path} needs.", scope=scope
            )
        return True
