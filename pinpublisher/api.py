"""What every REST endpoint under /api/ shares: the error format, tenant scoping, pagination.

Error format. Every answer with a status of 400 or more, whatever raised it (validation,
a domain conflict, 401, 403, 404, 405, 415, 429, an unknown /api/ URL), has one shape::

    {"error": {"code": "validation_error", "message": "title: This field is required.",
               "fields": {"title": ["This field is required."]}}}

``fields`` is always present: field name -> list of messages for a 400, empty otherwise.
A body Django refuses to read is 413 ``request_too_large`` (over ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
files uploaded as multipart do not count) or 400 ``too_many_fields`` / ``too_many_files``; one the
parsers refuse (``pinpublisher.parsers``: JSON nested too deep, multipart cut short) is 400
``parse_error``, judged before any object is looked up.
What escapes DRF reaches Django's error handlers (``handler400`` ... ``handler500`` in
``pinpublisher.urls``), which answer in this format under /api/ and with Django's pages
elsewhere: a 500 is ``server_error`` without a traceback (Django still logs and reports it),
and a request refused before any view (an unknown Host) is ``bad_request``. With DEBUG on,
Django shows its debug page for a 500 or a 400 instead of calling the handlers.

Authentication. ``Authorization: Token <key>`` with an API key (``apikeys``: the request acts as
the key's owner, within the key's scopes), or a session. A key needs, for every request, the
scope its view names: ``read`` for GET, HEAD and OPTIONS, the view's ``write_scope`` for the
other methods; a key without it gets 403 ``insufficient_scope`` naming the scope. The schema
states each operation's scope (``x-required-scope`` and its description). Requests are
throttled per key and per user.

Tenants. Every endpoint works inside the caller's tenant (``request.user.membership.tenant``).
Another tenant's object is a 404, whatever the method, never a 403 that would confirm it
exists. A signed-in user who belongs to no tenant gets 403 ``no_tenant`` from every endpoint
(before anything is looked up), so the answer never depends on the object asked for.

Errors raised by services are mapped to HTTP here, in :func:`exception_handler`, and nowhere
else: Django's ``ValidationError`` -> 400 (its dict names the fields), ``ObjectDoesNotExist``
-> 404, and a domain error -> the ``http_status`` its class declares, with its ``code`` (and
its message under ``fields[field]`` when it names a ``field``): 409 for
``publishing.services.content.ContentConflict``, 400/409 for ``pinpublisher.errors``.
"""

from __future__ import annotations

import difflib
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from apikeys.authentication import ApiKeyAuthentication, HasRequiredScope
from apikeys.models import ApiKey
from apikeys.scopes import SAFE_METHODS, Scope
from pinpublisher.errors import DomainError
from pinpublisher.parsers import PARSER_CLASSES
from pinterest.errors import PinterestConfigurationError

logger = logging.getLogger(__name__)

# --- The error format ------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, machine-readable: validation_error, not_found, not_authenticated, "
        "authentication_failed, no_tenant, insufficient_scope, permission_denied, method_not_allowed, "
        "unsupported_media_type, parse_error, request_too_large, too_many_fields, throttled, "
        "pin_not_editable, server_error, ..."
    )
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For validation errors: field name -> messages. Empty for other errors.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    error = ErrorBodySerializer()


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each invalid field (or query parameter).",
    401: "No credentials, or invalid ones.",
    403: "The user belongs to no tenant (`no_tenant`), or the API key lacks the scope the operation "
    "needs (`insufficient_scope`, the message names it).",
    404: "No such object in your tenant (another tenant's objects are 404 too), or no such page.",
    409: "The object's state forbids this (the message says why).",
    415: "Unsupported Content-Type for the request body.",
    429: "Too many requests: see the Retry-After header.",
    503: "Pinterest could not be reached or answered with an error for now; try again later (the message says why).",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the given error statuses, plus the ones every endpoint can answer."""
    every_endpoint = (401, 403, 429)
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in sorted({*statuses, *every_endpoint})
    }


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"field": [...], "nested.field": [...]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if key != NON_FIELD_ERRORS else api_settings.NON_FIELD_ERRORS_KEY
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in items]}


def _validation_message(fields: dict[str, list[str]]) -> str:
    if len(fields) == 1:
        (name, messages), = fields.items()
        return f"{name}: {messages[0]}" if messages else f"{name} is invalid."
    return "Invalid input in: " + ", ".join(fields) + "."


def _refused_request(exc: Exception) -> tuple[int, dict] | None:
    """Status and body for a request whose data Django refused to read, else None."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, error_body(
            "request_too_large",
            f"The request body is over {limit / 1024 / 1024:g} MB ({limit} bytes), the most this API "
            "reads; files uploaded as multipart/form-data do not count towards it.",
        )
    if isinstance(exc, TooManyFieldsSent):
        return 400, error_body(
            "too_many_fields",
            f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters or form fields were sent.",
        )
    if isinstance(exc, TooManyFilesSent):
        return 400, error_body(
            "too_many_files", f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files were sent."
        )
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every handled error in the one format; 500s go on to Django."""
    refused = _refused_request(exc)
    if refused is not None:
        # Mapped here rather than left to handler400, so the answer is the same with DEBUG on.
        status, body = refused
        return Response(body, status=status)
    if isinstance(exc, PinterestConfigurationError):
        # The operator's problem, not the caller's: said plainly, and logged for the operator.
        logger.error("Pinterest app not configured: %s", exc)
        return Response(error_body("pinterest_not_configured", str(exc)), status=503)
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.public_message, {exc.field: [exc.public_message]} if exc.field else None),
            status=exc.http_status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("validation_error", _validation_message(fields), fields)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = getattr(exc, "detail", "")
        response.data = error_body(code, str(detail))
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """The 404 for URLs under /api/ that match no endpoint: the API's format, not an HTML page."""
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            message += f" Did you mean {request.path}/ (API URLs end with a slash)?"
    return JsonResponse(error_body("not_found", message), status=404)


# Django's error handlers (handler400, handler403, handler404, handler500 in pinpublisher.urls):
# what escapes DRF's handler, or is raised before any view, still answers in the error format
# under /api/. Everywhere else Django's own pages.


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    # Django's own page shows no detail either: the message of a SuspiciousOperation is for the log.
    status, body = _refused_request(exception) or (400, error_body("bad_request", "Bad request."))
    return JsonResponse(body, status=status)


def permission_denied(request, exception):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    message = str(exception) or exceptions.PermissionDenied.default_detail
    return JsonResponse(error_body("permission_denied", str(message)), status=403)


def page_not_found(request, exception):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return api_not_found(request)


def server_error(request):
    if not _is_api(request):
        return defaults.server_error(request)
    message = "The server failed to answer this request; the error has been logged."
    return JsonResponse(error_body("server_error", message), status=500)


# --- Throttling ------------------------------------------------------------------------------


class SlidingWindowRateThrottle(SimpleRateThrottle):
    """At most N requests a period per client, counted as a sliding window: this fixed window's
    count plus the previous window's, weighted by the part of it the sliding window still covers.

    One small cache entry per client, ``(window, previous count, current count)``, read and
    written once a request whatever the rate. DRF's own throttle keeps the time of every request
    of the period and moves that list in and out of the cache on each request, which costs more
    the busier a client is; each request now passes two throttles (per user, per key). Like
    DRF's, the read and the write are not one atomic step: processes racing may let a few
    requests too many through. Reads its rate when used, so settings changes apply.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, self.into = divmod(self.now, self.duration)
        stored_window, previous, current = self.cache.get(self.key) or (None, 0, 0)
        if stored_window != window:
            # A new window: the one stored is the previous one only if it is just before.
            previous, current = (current if stored_window == window - 1 else 0), 0
        self.previous, self.current = previous, current
        if previous * (1 - self.into / self.duration) + current + 1 > self.num_requests:
            return False
        # Kept for two periods: the next window still weighs this one.
        self.cache.set(self.key, (window, previous, current + 1), 2 * self.duration)
        return True

    def wait(self):
        """Seconds until one more request fits, if no other comes meanwhile (Retry-After)."""
        room = self.num_requests - 1
        if room < 0:
            return None  # a rate of 0: never
        if self.current > room:
            # Not in this window: in the next one, once this window's count weighs little enough.
            return self.duration - self.into + self.duration * (1 - room / self.current)
        return max(0.0, self.duration * (1 - self.into / self.duration - (room - self.current) / self.previous))


class UserRateThrottle(SlidingWindowRateThrottle, DrfUserRateThrottle):
    """Per user: every request of the user, whichever key or session (``API_THROTTLE_USER_RATE``)."""


class ApiKeyRateThrottle(SlidingWindowRateThrottle):
    """Per API key (``API_THROTTLE_KEY_RATE``): each key has its own count, so one busy integration
    is held back on its own key. A request without a key (a session) is not counted here."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


# --- Tenant scoping --------------------------------------------------------------------------


def tenant_of(user):
    """The user's tenant, or None for an anonymous user or one without a membership.

    Reads ``user.membership.tenant``; Django caches both on the user instance, so a request
    pays for them once (API key authentication has already fetched them with the user).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership.tenant
    except ObjectDoesNotExist:
        return None


class IsTenantMember(BasePermission):
    message = (
        "Your user belongs to no tenant, so there is nothing here for it; "
        "ask an owner of your organisation to add you."
    )
    code = "no_tenant"

    def has_permission(self, request, view) -> bool:
        return tenant_of(request.user) is not None


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


# The base of every tenant-scoped endpoint: authenticated, member of a tenant, within the key's
# scopes, throttled per user and per key. (A comment, not a docstring: the schema would show a
# docstring as every endpoint's text.)
class TenantApi(APIView):
    # Set here rather than in settings.REST_FRAMEWORK: DRF imports those while defining
    # APIView, before this module could be imported.
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
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
            # The body is judged (parsed within its bounds, pinpublisher.parsers) before anything
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


def no_input(handler):
    """Marks a write handler that takes no input (publish, unschedule, refresh, ...): a body with
    fields is refused, naming each, rather than ignored. DELETE handlers take none either."""
    handler.takes_no_input = True
    return handler


def refuse_a_body_where_none_is_taken(view: APIView, request) -> None:
    """A 400 naming each field of a body sent to a handler that takes none (``no_input``, or a
    DELETE). Called once authentication and scopes have passed."""
    handler = getattr(view, request.method.lower(), None)
    if handler is None or not (request.method == "DELETE" or getattr(handler, "takes_no_input", False)):
        return
    data = request.data
    if not hasattr(data, "keys"):
        # A JSON value that is not an object (null, a list, a number): no field could be meant.
        raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
            f"This endpoint takes no input: send no body, not JSON {json.dumps(data)[:40]}."
        ]})
    names = list(data.keys())
    if names:
        raise exceptions.ValidationError(
            {name: [f"{name} is not a field of this endpoint: it takes no input."] for name in names}
        )


def get_or_404(queryset, *, label: str, **lookup):
    """One object of an already tenant-scoped queryset, or a 404 that names what was asked for."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        ident = next(iter(lookup.values()), "")
        raise exceptions.NotFound(f"{label} {ident} not found.") from None


def parse(serializer_class, data, *, partial: bool = False, context: dict | None = None) -> dict:
    """Validate a request body with an input serializer; a 400 naming each bad field otherwise.

    Nothing sent is silently dropped: a field the serializer does not take is a 400 naming it,
    with the reason (``unexpected_fields``), next to the errors of the fields it does take.
    """
    context = {} if context is None else context
    serializer = serializer_class(data=data, partial=partial, context=context)
    valid = serializer.is_valid()
    # A field may take more of the body than its own name (a carousel names its file parts).
    unexpected = unexpected_fields(serializer_class, data, consumed=context.get("consumed_fields", ()))
    if unexpected or not valid:
        errors = dict(serializer.errors) if not valid else {}
        for name, message in unexpected.items():
            errors.setdefault(name, []).append(message)
        raise exceptions.ValidationError(errors)
    return serializer.validated_data


def parse_query(serializer_class, query_params) -> dict:
    """Validate query parameters (pagination's ``page`` and others may sit next to them, so
    parameters the serializer does not name are left alone); a 400 naming each bad one."""
    serializer = serializer_class(data=query_params.dict(), context={})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReadOnlyFields:
    """Declared on an input serializer: the fields its endpoint shows but never takes, with
    what to do instead (``{"status": "use /publish/ or /schedule/"}``; "" for no hint). Every
    field of ``output`` the input does not take is read-only too."""

    def __init__(self, output: type[serializers.Serializer] | None = None, **hints: str):
        self.output = output
        self.hints = hints

    def names(self, taken: set[str]) -> dict[str, str]:
        names = dict.fromkeys(self.output().fields if self.output else (), "")
        names.update(self.hints)
        return {name: hint for name, hint in names.items() if name not in taken}


def unexpected_fields(serializer_class, data, *, consumed=()) -> dict[str, str]:
    """The keys of a request body the serializer does not take, each with why: read-only (and
    what to do instead, from the serializer's ``read_only_fields``, a ReadOnlyFields) or unknown
    (with the closest field it takes, when one is close)."""
    if not hasattr(data, "keys"):
        return {}
    taken = {name for name, field in serializer_class().fields.items() if not field.read_only}
    declared = getattr(serializer_class, "read_only_fields", None)
    read_only = declared.names(taken) if isinstance(declared, ReadOnlyFields) else {}
    problems = {}
    for name in data.keys():
        if name in taken or name in consumed:
            continue
        if name in read_only:
            hint = read_only[name]
            problems[name] = f"{name} is read-only: {hint}" if hint else f"{name} is read-only."
            continue
        close = difflib.get_close_matches(str(name), sorted(taken), n=1)
        suggestion = f" Did you mean {close[0]}?" if close else ""
        accepted = ", ".join(sorted(taken)) or "none"
        problems[name] = f"{name} is not a field of this endpoint.{suggestion} Accepted: {accepted}."
    return problems


class RefusesUnexpectedFields:
    """For an input serializer nested in a body (a list's items): a key it does not take is a
    400 naming it, with the same words ``parse`` uses for the body's own fields."""

    def to_internal_value(self, data):
        unexpected = unexpected_fields(type(self), data)
        if unexpected:
            raise exceptions.ValidationError({name: [message] for name, message in unexpected.items()})
        return super().to_internal_value(data)


# --- Input fields ----------------------------------------------------------------------------

NAIVE_DATETIME_MESSAGE = (
    "Give a timezone-aware ISO 8601 datetime, e.g. 2030-05-01T09:00:00+02:00 or "
    "2030-05-01T07:00:00Z: without an offset the moment is ambiguous."
)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry its offset: a naive value is refused, not guessed."""

    default_error_messages = {"naive": NAIVE_DATETIME_MESSAGE}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class IdField(serializers.IntegerField):
    """A database id: a positive integer that fits the id column (so no overflow reaches SQL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


# --- Pagination ------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


PAGINATION_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Results per page (default {api_settings.PAGE_SIZE}, at most "
        f"{ApiPagination.max_page_size}).",
    ),
]

_paginated_serializers: dict[type, type] = {}


def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of ``serializer_class`` objects (named ``Paginated<Name>List``)."""
    if serializer_class not in _paginated_serializers:
        name = serializer_class.__name__.removesuffix("Serializer")
        _paginated_serializers[serializer_class] = type(
            f"Paginated{name}ListSerializer",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _paginated_serializers[serializer_class]


def paginated_response(*, queryset, serializer_class, request, view) -> Response:
    paginator = ApiPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)
