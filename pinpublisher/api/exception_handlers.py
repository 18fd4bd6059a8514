"""Every error answer in the one format (``error_format``), mapped in one place.

DRF's ``EXCEPTION_HANDLER`` (``exception_handler``) maps what services raise: Django's
``ValidationError`` -> 400 (its dict names the fields), ``ObjectDoesNotExist`` -> 404, a domain
error (``pinpublisher.errors.DomainError``) -> the ``http_status`` its class declares, with its
``code`` (and its message under ``fields[field]`` when it names a ``field``), and a
``ServiceNotConfigured`` (the operator's problem, outside the domain root) -> 503 with its code.
A body Django refuses to read is 413 ``request_too_large`` or 400 ``too_many_fields`` /
``too_many_files``.

What escapes DRF reaches Django's error handlers (``handler400`` ... ``handler500`` in
``pinpublisher.urls``), which answer in this format under /api/ and with Django's pages
elsewhere: a 500 is ``server_error`` without a traceback (Django still logs and reports it),
and a request refused before any view (an unknown Host) is ``bad_request``. With DEBUG on,
Django shows its debug page for a 500 or a 400 instead of calling the handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from pinpublisher.api.conf import api_conf
from pinpublisher.api.error_format import error_body
from pinpublisher.errors import DomainError, ServiceNotConfigured

logger = logging.getLogger(__name__)


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
        limit = api_conf.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, error_body(
            "request_too_large",
            f"The request body is over {limit / 1024 / 1024:g} MB ({limit} bytes), the most this API "
            "reads; files uploaded as multipart/form-data do not count towards it.",
        )
    if isinstance(exc, TooManyFieldsSent):
        return 400, error_body(
            "too_many_fields",
            f"More than {api_conf.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters or form fields were sent.",
        )
    if isinstance(exc, TooManyFilesSent):
        return 400, error_body(
            "too_many_files", f"More than {api_conf.DATA_UPLOAD_MAX_NUMBER_FILES} files were sent."
        )
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every handled error in the one format; 500s go on to Django."""
    refused = _refused_request(exc)
    if refused is not None:
        # Mapped here rather than left to handler400, so the answer is the same with DEBUG on.
        status, body = refused
        return Response(body, status=status)
    if isinstance(exc, ServiceNotConfigured):
        # The operator's problem, not the caller's: said plainly, and logged for the operator.
        logger.error("Not configured (%s): %s", exc.code, exc)
        return Response(error_body(exc.code, str(exc)), status=exc.http_status)
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
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
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


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    # Django's own page shows no detail either: the message of a SuspiciousOperation is for the log.
    status, body = _refused_request(exception) or (400, error_body("bad_request", "Bad request."))
    return JsonResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    message = str(exception) or exceptions.PermissionDenied.default_detail
    return JsonResponse(error_body("permission_denied", str(message)), status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return api_not_found(request)


def server_error(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    message = "The server failed to answer this request; the error has been logged."
    return JsonResponse(error_body("server_error", message), status=500)
