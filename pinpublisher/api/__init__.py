"""What every REST endpoint under /api/ shares, one job per module:

- ``error_format``: the one shape of every answer of 400 or more (validation, a domain conflict,
  401, 403, 404, 405, 415, 429, an unknown /api/ URL)::

      {"error": {"code": "validation_error", "message": "title: This field is required.",
                 "fields": {"title": ["This field is required."]}}}

- ``exception_handlers``: DRF's ``EXCEPTION_HANDLER`` and Django's ``handler400`` ...
  ``handler500``: what services raise mapped to HTTP here and nowhere else;
- ``views``: ``TenantApi``, the base of every endpoint (authenticated, in a tenant, within the
  key's scopes, throttled, its body judged before anything is looked up), ``get_or_404``;
- ``permissions``: tenant scoping; ``throttling``: per user and per key;
- ``parsers``: what a body's bytes may be (JSON nested too deep, multipart cut short: 400
  ``parse_error``); ``parsing``: a body or query read through an input serializer, every field
  it does not take refused by name; ``fields``: shared input fields; ``pagination``: pages;
- ``conf``: the settings this package reads.

The names other modules use are importable from here (``from pinpublisher.api import TenantApi``),
and the dotted paths in ``settings.REST_FRAMEWORK`` and ``pinpublisher.urls`` name them here.
This package imports no app: API keys (authentication, the scope each request needs, the scope
each operation states in the schema) come from ``apikeys``, named in ``settings.REST_FRAMEWORK``.
"""

from pinpublisher.api.error_format import ErrorBodySerializer, ErrorSerializer, error_body, error_responses
from pinpublisher.api.exception_handlers import (
    api_not_found,
    bad_request,
    exception_handler,
    page_not_found,
    permission_denied,
    server_error,
)
from pinpublisher.api.fields import NAIVE_DATETIME_MESSAGE, AwareDateTimeField, IdField
from pinpublisher.api.pagination import (
    PAGINATION_PARAMETERS,
    ApiPagination,
    paginated,
    paginated_response,
)
from pinpublisher.api.parsing import (
    ReadOnlyFields,
    RefusesUnexpectedFields,
    no_input,
    parse,
    parse_query,
    refuse_a_body_where_none_is_taken,
    unexpected_fields,
)
from pinpublisher.api.permissions import IsTenantMember, tenant_of
from pinpublisher.api.throttling import ApiKeyRateThrottle, SlidingWindowRateThrottle, UserRateThrottle
from pinpublisher.api.views import TenantApi, get_or_404

__all__ = [
    "NAIVE_DATETIME_MESSAGE",
    "PAGINATION_PARAMETERS",
    "ApiKeyRateThrottle",
    "ApiPagination",
    "AwareDateTimeField",
    "ErrorBodySerializer",
    "ErrorSerializer",
    "IdField",
    "IsTenantMember",
    "ReadOnlyFields",
    "RefusesUnexpectedFields",
    "SlidingWindowRateThrottle",
    "TenantApi",
    "UserRateThrottle",
    "api_not_found",
    "bad_request",
    "error_body",
    "error_responses",
    "exception_handler",
    "get_or_404",
    "no_input",
    "page_not_found",
    "paginated",
    "paginated_response",
    "parse",
    "parse_query",
    "permission_denied",
    "refuse_a_body_where_none_is_taken",
    "server_error",
    "tenant_of",
    "unexpected_fields",
]
