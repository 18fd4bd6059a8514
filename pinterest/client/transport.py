"""The one place that speaks HTTP to Pinterest and the one place that judges its answers.

``Transport`` holds what every call needs (the ``ClientConfig``, the pooled session, the
last request id): ``_request()`` sends one API call, ``_send()`` is the only
``session.request`` of the client (Pinterest's API and the media upload host alike) and
turns transport failures into the error tree, and ``_judge()`` decides success or failure.
The resource methods (``boards``, ``pins``, ``media``, ``tokens``) call nothing else. What
a caller can rely on is written once, in ``pinterest.client``'s docstring.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import math
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from pinterest.errors import (
    ErrorContext,
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConfigurationError,
    PinterestConnectionError,
    PinterestError,
    PinterestForbidden,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
)
from pinterest.multipart import StreamedBody

# The client's one logger, named as before the split into modules.
logger = logging.getLogger("pinterest.client")

_BAD_URL_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)

_STATUS_ERRORS = {
    400: PinterestBadRequest,
    401: PinterestAuthError,
    403: PinterestForbidden,
    404: PinterestNotFound,
    429: PinterestRateLimitError,
}


@dataclass(frozen=True)
class ClientConfig:
    """What a ``PinterestClient`` needs to know, fixed when it is built.

    The names in brackets are the settings ``pinterest.services.clients.client_config()``
    reads them from; error messages name those settings, for the operator to fix.
    """

    #: Pinterest API v5's base URL [PINTEREST_API_BASE]; OAuth's token endpoint is
    #: ``{api_base}/oauth/token``.
    api_base: str
    #: The page a person grants the app access on [PINTEREST_OAUTH_AUTHORIZE_URL].
    oauth_authorize_url: str
    #: Seconds to connect and to wait for each read [PINTEREST_CONNECT_TIMEOUT_SECONDS,
    #: PINTEREST_READ_TIMEOUT_SECONDS].
    connect_timeout: float
    read_timeout: float
    #: The User-Agent of every request, Pinterest's and the upload host's.
    user_agent: str
    #: No more of an answer is read than this [PINTEREST_MAX_ANSWER_BYTES].
    max_answer_bytes: int
    #: The app's credentials, for OAuth only [PINTEREST_APP_ID, PINTEREST_APP_SECRET,
    #: PINTEREST_REDIRECT_URI]; empty is a ``PinterestConfigurationError`` when an OAuth
    #: call needs them.
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    redirect_uri: str = ""
    #: The read timeout of a media upload (each socket send and the wait for S3's
    #: answer); None: ``read_timeout``.
    upload_read_timeout: float | None = None
    #: Told of every answer of Pinterest's API: (method, path, HTTP status or None when none came,
    #: seconds), and of each media upload's (path ``media.UPLOAD_ENDPOINT``, never the upload URL).
    #: The project counts them (``pinterest.services.clients``); the client knows no more.
    #: It must not raise.
    observer: Callable[[str, str, int | None, float], None] | None = field(default=None, compare=False)


class _Session(requests.Session):
    """requests' session, which reads the environment's proxy settings once per scheme and host.

    requests reads the proxy variables and NO_PROXY again on every call (scanning the whole
    environment twice): 6 % of a publishing worker's CPU per pin. A running process's environment
    does not change, so the merged settings for a URL's scheme and host (and the call's and the
    session's own settings, part of the key) are kept: each is what requests computed."""

    #: More keys than this (hosts seen) and the kept settings start over.
    KEPT = 64

    def __init__(self) -> None:
        super().__init__()
        self._merged: dict[tuple, dict[str, Any]] = {}

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        key = (urlsplit(url)[:2], stream, verify, cert, tuple(sorted((proxies or {}).items())),
               tuple(sorted(self.proxies.items())), self.stream, self.verify, self.cert, self.trust_env)
        merged = self._merged.get(key)
        if merged is None:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(self._merged) >= self.KEPT:
                self._merged = {}
            self._merged[key] = merged
        return {**merged, "proxies": dict(merged["proxies"])}


def _new_session() -> requests.Session:
    session = _Session()
    # An API client has no use for cookies, and one session serves every tenant's account:
    # nothing one response sets may ride along on another account's request.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.headers["Accept"] = "application/json"
    return session


# One pooled session for the process (urllib3's pool is thread-safe; cookies are off).
_session = _new_session()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds (``"7"``, ``"1.5"``) or an HTTP date -> seconds to wait.

    None when the header is absent or unreadable; never negative.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT by definition
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


_SENT_SIGNS = (
    ProtocolError,
    ReadTimeoutError,
    http.client.RemoteDisconnected,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)
# NewConnectionError includes urllib3's NameResolutionError (DNS).
_NOT_SENT_SIGNS = (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError, socket.gaierror)


def _error_chain(err: BaseException) -> list[BaseException]:
    """``err`` and every error it wraps (urllib3's ``reason``, args, causes and contexts)."""
    chain: list[BaseException] = []
    stack: list[object] = [err]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or any(current is seen for seen in chain):
            continue
        chain.append(current)
        stack.extend(current.args)
        stack.extend((getattr(current, "reason", None), current.__cause__, current.__context__))
    return chain


def _tls_refused_before_sending(err: BaseException) -> bool:
    """True when a TLS error is a refused certificate: the handshake stopped before any of the
    request was written. requests raises the same ``SSLError`` for a TLS stream that breaks after
    the handshake (a record that does not decrypt while the answer is read), when the request may
    have reached Pinterest in full; anything but a refused certificate counts as "may have reached"."""
    return any(isinstance(e, ssl.SSLCertVerificationError) for e in _error_chain(err))


def _never_reached(err: BaseException) -> bool:
    """True when a ``requests.ConnectionError`` happened before the request was sent.

    Looks through the wrapped urllib3/socket errors. Any sign that the request went out
    wins, and anything it cannot place counts as "may have reached": the safe side for a
    create that has no idempotency key.
    """
    chain = _error_chain(err)
    if any(isinstance(e, _SENT_SIGNS) for e in chain):
        return False
    return any(isinstance(e, _NOT_SENT_SIGNS) for e in chain)


def _read_capped(response: requests.Response, *, limit: int, peer: str, what: str) -> None:
    """Read the body of a streamed response into ``response.content``, refusing (and
    closing the connection) once it passes ``limit`` bytes: Pinterest's answers are
    small, a stand-in or a hostile proxy could send gigabytes."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > limit:
                raise PinterestUnavailable(
                    f"{peer}'s answer to {what} is more than {limit} bytes; stopped reading it",
                    status_code=response.status_code,
                    request_id=response.headers.get("x-pinterest-rid", ""),
                )
            chunks.append(chunk)
    except PinterestUnavailable:
        response.close()
        raise
    # What requests itself does when it reads a body whole (``response.content``).
    response._content = b"".join(chunks)
    response._content_consumed = True


def _error_fields(response: requests.Response) -> tuple[object, str, str, object]:
    """(code, message, message_detail, body) from an error response, readable even if not JSON."""
    reason = f"HTTP {response.status_code} {response.reason or ''}".strip()
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        message = body.get("message")
        detail = body.get("message_detail")
        return body.get("code"), str(message) if message else reason, str(detail) if detail else "", body
    text = " ".join((response.text or "").split())
    if not text:
        return None, reason, "empty response body", response.text
    if len(text) > 200:
        text = text[:200] + "..."
    return None, reason, f"response body is not JSON: {text}", response.text[:2000]


class Transport:
    """What every call to Pinterest shares: the configuration, the session, the request id.

    ``last_request_id`` is the ``x-pinterest-rid`` of the last response (``""`` if none),
    kept for the audit trail even when the call succeeds.
    """

    def __init__(
        self,
        config: ClientConfig,
        access_token: str | None = None,
        *,
        session: requests.Session | None = None,
    ):
        self.config = config
        self._access_token = access_token or ""
        self.session = session or _session
        self.last_request_id = ""

    def __repr__(self) -> str:
        return f"<PinterestClient base_url={self.base_url!r} token={'set' if self._access_token else 'none'}>"

    @property
    def base_url(self) -> str:
        return self.config.api_base.rstrip("/")

    # --- the one place that sends, the one that judges ------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | StreamedBody | None = None,
        auth: requests.auth.AuthBase | None = None,
        content_type: str | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON body (any JSON value: the resource
        methods check its shape); raise per ``pinterest.client``'s docstring.

        ``auth`` replaces the bearer token (the OAuth token call uses HTTP Basic);
        ``content_type`` is that of ``data``.
        """
        url = f"{self.base_url}{path}"
        headers = {"Content-Type": content_type} if content_type else {}
        if auth is None:
            if not self._access_token:
                raise PinterestAuthError(f"No access token to call {method} {path}: connect the account")
            headers["Authorization"] = f"Bearer {self._access_token}"
        timeout = (self.config.connect_timeout, self.config.read_timeout)
        self.last_request_id = ""
        started, status = time.monotonic(), None
        try:
            response = self._send(
                method,
                url,
                what=f"{method} {path}",
                url_source="PINTEREST_API_BASE",
                params=params,
                json=json,
                data=data,
                headers=headers,
                auth=auth,
                timeout=timeout,
            )
            status = response.status_code
        finally:
            if self.config.observer is not None:
                self.config.observer(method, path, status, time.monotonic() - started)
        return self._judge(method, path, response)

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout: tuple[float, float],
        peer: str = "Pinterest",
        url_source: str = "",
        **kwargs: Any,
    ) -> requests.Response:
        """``session.request`` with the transport failures turned into the error tree.

        ``what`` names the call ("GET /boards"), ``peer`` the other side, ``url_source``
        where the URL came from (a bad URL is a configuration error naming it).
        """
        kwargs["headers"] = {"User-Agent": self.config.user_agent, **(kwargs.get("headers") or {})}
        try:
            response = self.session.request(
                method,
                url,
                timeout=timeout,
                # A redirect would turn a POST into a GET; neither Pinterest's API nor S3 redirects.
                allow_redirects=False,
                # The body is read here, by _read_capped(), never more than the limit.
                stream=True,
                **kwargs,
            )
            _read_capped(response, limit=int(self.config.max_answer_bytes), peer=peer, what=what)
            return response
        except requests.exceptions.ConnectTimeout as err:
            raise PinterestConnectionError(f"Could not connect to {peer} in time: {err}") from err
        except requests.exceptions.SSLError as err:
            if _tls_refused_before_sending(err):
                raise PinterestConnectionError(f"TLS handshake with {peer} failed: {err}") from err
            raise PinterestUnavailable(f"TLS connection to {peer} broke during {what}: {err}") from err
        except requests.exceptions.ReadTimeout as err:
            raise PinterestUnavailable(f"{peer} did not answer {what} within {timeout[1]} s") from err
        except requests.exceptions.ConnectionError as err:
            if _never_reached(err):
                raise PinterestConnectionError(f"Could not connect to {peer}: {err}") from err
            raise PinterestUnavailable(f"Connection to {peer} lost during {what}: {err}") from err
        except _BAD_URL_ERRORS as err:
            raise PinterestConfigurationError(f"{url_source} does not give a valid URL ({url!r}): {err}") from err
        except requests.exceptions.RequestException as err:
            # e.g. ChunkedEncodingError: the answer broke off after the request was sent.
            raise PinterestUnavailable(f"{peer}'s answer to {what} broke off: {err}") from err

    def _judge(self, method: str, path: str, response: requests.Response) -> Any:
        """The one place that turns a response into a result or an error."""
        status = response.status_code
        request_id = response.headers.get("x-pinterest-rid", "")
        self.last_request_id = request_id
        logger.info(
            "Pinterest %s %s -> %s (request id %s, %.0f ms)",
            method,
            path,
            status,
            request_id or "-",
            response.elapsed.total_seconds() * 1000 if response.elapsed else 0,
        )
        if 200 <= status < 300:
            if not response.content.strip():
                return {}
            try:
                return response.json()
            except (ValueError, RecursionError) as err:
                # RecursionError: JSON nested deeper than the decoder can follow.
                raise PinterestUnavailable(
                    f"Pinterest answered {method} {path} with HTTP {status} but a body that is not JSON",
                    status_code=status,
                    request_id=request_id,
                    body=response.text[:500],
                ) from err
        code, message, detail, body = _error_fields(response)
        context: ErrorContext = {
            "status_code": status,
            "pinterest_code": code,
            "message_detail": detail,
            "request_id": request_id,
            "body": body,
        }
        if status == 429:
            raise PinterestRateLimitError(
                message, retry_after=parse_retry_after(response.headers.get("Retry-After")), **context
            )
        if status >= 500:
            raise PinterestUnavailable(message, **context)
        raise _STATUS_ERRORS.get(status, PinterestError)(message, **context)
