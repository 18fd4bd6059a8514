"""Errors of the pinterest app.

``PinterestError`` (a ``DomainError``: 502 ``pinterest_error`` in the API) carries what
Pinterest said: HTTP status, its ``pinterest_code``, ``message`` and ``message_detail``,
and the ``x-pinterest-rid`` request id; its ``str()`` shows them. Configuration problems
deliberately sit outside the domain root (``PinterestConfigurationError``), so a broad
``except PinterestError`` never hides a missing app secret.

``ConnectionUnusable`` (409) and ``ConnectError`` (400) are the app's rules refusing,
before or instead of a call: an inactive account, a token Pinterest rejected.

For writes the important question is "did Pinterest act on it?":
- ``PinterestConnectionError``: the request never reached Pinterest (refused, DNS):
  nothing was created; safe to treat as a plain failure.
- ``PinterestUnavailable`` (5xx, read timeout, connection reset after sending):
  the outcome is unknown (``outcome_unknown`` is True); a create may have happened.
  Pinterest has no idempotency key, so it is resolved by looking, never by posting again.
"""

from typing import TypedDict, Unpack

from pinpublisher.errors import Conflict, DomainError, InvalidRequest, ServiceNotConfigured


class PinterestConfigurationError(ServiceNotConfigured):
    """The app is not configured to talk to Pinterest (missing app id/secret, redirect URI)."""

    code = "pinterest_not_configured"


class ConnectionUnusable(Conflict):
    """The connection cannot be used to call Pinterest; the message says why, for a person."""

    code = "connection_inactive"


class ConnectionRefreshFailing(ConnectionUnusable):
    """The access token expired and Pinterest could not refresh it for a passing reason (5xx,
    timeout, unreachable): the connection is still active and its pins wait, not fail."""

    http_status = 503
    code = "connection_refresh_failing"


class TokenRefreshFailed(Conflict):
    """Pinterest refused to refresh the connection's tokens; it must be reconnected."""

    code = "token_refresh_failed"


class ConnectError(InvalidRequest):
    """A connection could not be made; the message says why, for a person. Nothing was stored."""

    code = "connect_failed"


class ErrorContext(TypedDict, total=False):
    """What Pinterest said besides its message, as ``PinterestError`` takes it by keyword."""

    status_code: int | None
    pinterest_code: object
    message_detail: str | None
    request_id: str | None
    body: object


class PinterestError(DomainError):
    http_status = 502
    code = "pinterest_error"
    #: True when Pinterest may have acted on the request although we got no answer.
    outcome_unknown = False

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int | None = None,
        pinterest_code: object = None,
        message_detail: str | None = "",
        request_id: str | None = "",
        body: object = None,
    ):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        #: Pinterest's own numeric error code (``code`` in its Error schema).
        self.pinterest_code = pinterest_code
        self.message_detail = message_detail or ""
        self.request_id = request_id or ""
        self.body = body

    def __str__(self) -> str:
        parts = [self.message or self.__class__.__name__]
        if self.message_detail:
            parts.append(f"({self.message_detail})")
        context = []
        if self.status_code is not None:
            context.append(f"HTTP {self.status_code}")
        if self.pinterest_code is not None:
            context.append(f"code {self.pinterest_code}")
        if self.request_id:
            context.append(f"request id {self.request_id}")
        if context:
            parts.append(f"[{', '.join(context)}]")
        return " ".join(parts)

    @property
    def user_message(self) -> str:
        """What a person reads on the pin: Pinterest's own words, without the plumbing."""
        if self.message_detail:
            return f"{self.message} ({self.message_detail})"
        return self.message or str(self)

    @property
    def public_message(self) -> str:
        return f"Pinterest answered: {self.user_message}"


class PinterestBadRequest(PinterestError):
    """400: Pinterest refused the request as invalid."""


class PinterestAuthError(PinterestError):
    """401: the access token (or, on token calls, the app credentials or grant) was rejected."""


class PinterestForbidden(PinterestError):
    """403: not allowed (e.g. code 233, image too small; missing scope)."""


class PinterestNotFound(PinterestError):
    """404: e.g. the board does not exist (code 40)."""


class PinterestRateLimitError(PinterestError):
    """429. ``retry_after`` is seconds from the Retry-After header, or None when absent."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **context: Unpack[ErrorContext]):
        super().__init__(message, **context)
        self.retry_after = retry_after

    @property
    def is_spam_block(self) -> bool:
        text = f"{self.message} {self.message_detail}".lower()
        return "spam" in text


class PinterestUnavailable(PinterestError):
    """5xx, read timeout, or connection lost after sending: the outcome is unknown."""

    outcome_unknown = True


class PinterestUploadRefused(PinterestError):
    """The media upload host (S3, from Pinterest's ``upload_url``) refused the upload with a
    4xx: e.g. an expired policy or a missing field. ``message_detail`` is its message."""


class PinterestConnectionError(PinterestError):
    """The request never reached Pinterest (connection refused, DNS): nothing happened there."""
