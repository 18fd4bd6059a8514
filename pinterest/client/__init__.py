"""The Pinterest API v5 client: the only module in the project that speaks HTTP to Pinterest.

The client is built with its configuration (``ClientConfig``: base URL, timeouts, app
credentials, User-Agent, answer cap), the way django-anymail's backends are; it reads no
settings and imports nothing of Django or the project. ``pinterest.services.clients`` is
the one factory: it builds the configuration from the pinterest app's settings each time
a client is built.

Every call goes through ``PinterestClient._request()``, which sets the base URL, the
bearer token, the User-Agent and the (connect, read) timeout, turns transport failures
into the error tree of ``pinterest.errors`` and hands the response to ``_judge()``, the
one place that decides success or failure. The client never touches the ORM and never
logs a token, an Authorization header or a request body.

The package is split by job: ``transport`` (``ClientConfig``, the session, ``_request``,
``_send``, ``_judge``: the one place that sends and the one that judges), ``boards``
(the account, boards, sections), ``pins``, ``media`` (register, upload, status) and
``tokens`` (OAuth), ``analytics`` (a pin's daily metrics, the account's). ``PinterestClient`` is
their sum; import every name from here.

What a caller can rely on:

- 2xx: the decoded JSON body (``{}`` for an empty one).
- 400 ``PinterestBadRequest``, 401 ``PinterestAuthError``, 403 ``PinterestForbidden``,
  404 ``PinterestNotFound``, 429 ``PinterestRateLimitError`` (``retry_after`` in seconds
  from Retry-After, given as seconds or as an HTTP date; None when absent), other 4xx
  and 3xx ``PinterestError``. Each carries the HTTP status, Pinterest's ``code``,
  ``message`` and ``message_detail`` and the ``x-pinterest-rid`` request id.
- 5xx, a read timeout, a connection reset or closed after the request was sent, a
  2xx whose body cannot be read (not JSON, JSON nested too deep to decode), an answer
  longer than ``ClientConfig.max_answer_bytes`` (read no further than that, whatever the
  peer sends): ``PinterestUnavailable`` (``outcome_unknown``).
  Pinterest has no idempotency key, so a create that ends like this may have
  happened; callers resolve it by looking, never by posting again.
- Connection refused, DNS failure, connect timeout, TLS handshake failure:
  ``PinterestConnectionError``; the request never reached Pinterest.
- Missing app credentials for the OAuth calls: ``PinterestConfigurationError``
  (outside the ``PinterestError`` root, so a broad ``except`` never hides it).

Transport errors are re-raised ``from`` the ``requests`` exception.
"""

from pinterest.client.analytics import (
    ACCOUNT_METRICS,
    PIN_METRICS,
    RETENTION_DAYS,
    VIDEO_METRICS,
    AnalyticsApi,
    DayMetrics,
)
from pinterest.client.boards import MAX_PAGE_SIZE, BoardsApi
from pinterest.client.media import MediaApi
from pinterest.client.pins import PinsApi
from pinterest.client.tokens import TokenGrant, TokensApi
from pinterest.client.transport import ClientConfig, parse_retry_after

__all__ = [
    "ACCOUNT_METRICS",
    "MAX_PAGE_SIZE",
    "PIN_METRICS",
    "RETENTION_DAYS",
    "VIDEO_METRICS",
    "ClientConfig",
    "DayMetrics",
    "PinterestClient",
    "TokenGrant",
    "parse_retry_after",
]


class PinterestClient(BoardsApi, PinsApi, MediaApi, TokensApi, AnalyticsApi):
    """Calls Pinterest API v5 for one account (``access_token``) or for the app (OAuth).

    Raises the errors of ``pinterest.errors`` as described in the module docstring.
    ``last_request_id`` is the ``x-pinterest-rid`` of the last response (``""`` if none),
    kept for the audit trail even when the call succeeds.
    """
