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

from __future__ import annotations

import http.client
import http.cookiejar
import logging
import math
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import BinaryIO
from urllib.parse import quote, urlencode, urlsplit

import requests
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConfigurationError,
    PinterestConnectionError,
    PinterestError,
    PinterestForbidden,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
    PinterestUploadRefused,
)
from pinterest.jsonbody import JsonBody, has_files
from pinterest.multipart import FileSizeMismatch, MultipartFileBody
from pinterest.scopes import REQUIRED_SCOPES

logger = logging.getLogger(__name__)

# Pinterest's maximum page size for bookmark-paged lists
# (https://developers.pinterest.com/docs/reference/pagination/).
MAX_PAGE_SIZE = 250

# A guard against a server that keeps answering with a bookmark: 250 x 400 = 100,000 boards.
_MAX_BOARD_PAGES = 400
# The same guard for a board's sections; hitting it is an error, never a partial list
# (a caller that syncs would archive the sections it did not see).
_MAX_SECTION_PAGES = 1000

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


@dataclass(frozen=True)
class TokenGrant:
    """What Pinterest's ``POST /v5/oauth/token`` answered. ``repr()`` never shows the tokens.

    ``refresh_token`` is the NEW refresh token on a refresh (continuous refresh rotates
    it: the caller must store it); ``""`` when Pinterest sent none.
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int | None
    refresh_token_expires_in: int | None
    refresh_token_expires_at: datetime | None
    scope: str
    token_type: str

    def access_token_expires_at(self, now: datetime) -> datetime | None:
        if self.expires_in is None:
            return None
        return now + timedelta(seconds=self.expires_in)

    def refresh_token_expiry(self, now: datetime) -> datetime | None:
        """The absolute expiry if Pinterest gave one, else ``now + refresh_token_expires_in``."""
        if self.refresh_token_expires_at is not None:
            return self.refresh_token_expires_at
        if self.refresh_token_expires_in is not None:
            return now + timedelta(seconds=self.refresh_token_expires_in)
        return None


def _new_session() -> requests.Session:
    session = requests.Session()
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


class PinterestClient:
    """Calls Pinterest API v5 for one account (``access_token``) or for the app (OAuth).

    Raises the errors of ``pinterest.errors`` as described in the module docstring.
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

    def __repr__(self):
        return f"<PinterestClient base_url={self.base_url!r} token={'set' if self._access_token else 'none'}>"

    @property
    def base_url(self) -> str:
        return self.config.api_base.rstrip("/")

    # --- accounts, boards, pins -----------------------------------------------------

    def get_user_account(self) -> dict:
        """``GET /user_account``: the connected account (id, username, account_type, ...)."""
        return self._request("GET", "/user_account")

    def list_boards(self) -> list[dict]:
        """Every board of the account: ``GET /boards`` page by page (250 a page) until the
        bookmark is null."""
        return list(self._paginate("/boards", page_size=MAX_PAGE_SIZE, max_pages=_MAX_BOARD_PAGES))

    def iter_board_pins(self, board_id: str, *, page_size: int = 100, max_pages: int = 5) -> Iterator[dict]:
        """The board's pins, newest first as Pinterest returns them; at most ``max_pages`` pages.

        Used to look for a pin whose create had an unknown outcome: a pin just created
        is on the first page, so a few pages are enough.
        """
        path = f"/boards/{quote(str(board_id), safe='')}/pins"
        return self._paginate(path, page_size=page_size, max_pages=max_pages)

    def list_board_pins(self, board_id: str, *, page_size: int = 100, max_pages: int = 5) -> list[dict]:
        return list(self.iter_board_pins(board_id, page_size=page_size, max_pages=max_pages))

    def create_pin(self, payload: dict) -> dict:
        """``POST /pins`` with a PinCreate body (see ``pinterest.payload.build_pin_create``).

        Returns Pinterest's Pin (``id``, ``created_at``, ...). A 2xx without a pin id is
        ``PinterestUnavailable``: Pinterest probably created it, so the caller looks.
        """
        if has_files(payload):
            # Images read from their files while the body is sent: never the whole body in memory.
            try:
                with JsonBody(payload) as body:
                    pin = self._request("POST", "/pins", data=body, content_type=body.content_type)
            except FileSizeMismatch as err:
                raise PinterestError(f"Could not send the pin's image: {err}") from err
        else:
            pin = self._request("POST", "/pins", json=payload)
        if not isinstance(pin, dict) or not pin.get("id"):
            raise PinterestUnavailable(
                "Pinterest accepted the pin but its answer has no pin id",
                status_code=None,
                request_id=self.last_request_id,
                body=pin,
            )
        return pin

    # --- board sections -------------------------------------------------------------

    def iter_board_sections(self, board_id: str, *, page_size: int = 100) -> Iterator[dict]:
        """``GET /boards/{board_id}/sections``: every section (``{"id", "name"}``), page by
        page until the bookmark is null.

        Raises ``PinterestNotFound`` for a board that is gone or not the account's, and
        ``PinterestError`` if the pages never end: a partial list is never returned.
        """
        path = f"/boards/{quote(str(board_id), safe='')}/sections"
        return self._paginate(path, page_size=page_size, max_pages=_MAX_SECTION_PAGES, complete=True)

    def list_board_sections(self, board_id: str) -> list[dict]:
        return list(self.iter_board_sections(board_id))

    # --- media (https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/#creating-video-pins)

    def register_media(self, *, media_type: str = "video") -> dict:
        """``POST /media``: register the intent to upload; returns Pinterest's MediaUpload
        (``media_id``, ``media_type``, ``upload_url``, ``upload_parameters``).

        An answer without ``media_id`` or ``upload_url`` is a ``PinterestError``. A lost
        answer leaves at most an unused registration behind: registering again is safe.
        """
        media = self._request("POST", "/media", json={"media_type": media_type})
        if not isinstance(media, dict) or not media.get("media_id") or not media.get("upload_url"):
            raise PinterestError(
                "Pinterest registered the media but its answer has no media_id or upload_url",
                request_id=self.last_request_id,
                body=media,
            )
        parameters = media.get("upload_parameters")
        if parameters is None:
            media["upload_parameters"] = {}
        elif not isinstance(parameters, dict):
            raise PinterestError(
                "Pinterest's upload_parameters for the media are not an object",
                request_id=self.last_request_id,
                body=media,
            )
        media["media_id"] = str(media["media_id"])
        return media

    def upload_media(
        self,
        *,
        upload_url: str,
        upload_parameters: dict,
        file: BinaryIO,
        filename: str,
        content_type: str,
        size: int,
    ) -> None:
        """POST the file to ``upload_url`` (S3, not Pinterest) as multipart/form-data: every
        ``upload_parameters`` field, then the file as ``file``, read from its current
        position. The body is streamed with a Content-Length (no chunked encoding, which S3
        refuses), so memory stays flat whatever the size. No bearer token goes there.

        Raises ``PinterestUnavailable`` (5xx, lost connection: the upload may or may not
        have landed; uploading again is harmless), ``PinterestConnectionError`` (never
        reached), ``PinterestUploadRefused`` (any other non-2xx, with S3's status, code and
        message), ``PinterestError`` when the file does not hold ``size`` bytes.
        """
        parts = urlsplit(upload_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PinterestError(f"Pinterest's upload_url {upload_url!r} is not an http(s) URL")
        body = MultipartFileBody(
            fields=upload_parameters, file=file, filename=filename, content_type=content_type, size=size
        )
        timeout = (self.config.connect_timeout, self.config.upload_read_timeout or self.config.read_timeout)
        try:
            response = self._send(
                "POST",
                upload_url,
                what=f"the upload of {filename!r}",
                peer="the media upload host",
                url_source="Pinterest's upload_url",
                data=body,
                headers={"Content-Type": body.content_type, "Accept": "*/*"},
                timeout=timeout,
            )
        except FileSizeMismatch as err:
            raise PinterestError(f"Could not upload {filename!r}: {err}") from err
        status = response.status_code
        logger.info("Media upload POST %s -> %s (%d bytes)", parts.netloc, status, len(body))
        if 200 <= status < 300:
            return
        code, message = _s3_error(response)
        context = {"status_code": status, "message_detail": message, "body": response.text[:2000]}
        if status >= 500:
            raise PinterestUnavailable(f"The media upload failed: {code}", **context)
        raise PinterestUploadRefused(f"The media upload was refused: {code}", **context)

    def get_media(self, media_id: str) -> dict:
        """``GET /media/{media_id}``: Pinterest's Media (``media_id``, ``media_type``,
        ``status``: registered, processing, succeeded or failed).

        Pinterest's schema gives no reason for ``failed``. An answer without a ``status``
        string is a ``PinterestError``; an unknown status is passed on as it came.
        """
        media = self._request("GET", f"/media/{quote(str(media_id), safe='')}")
        if not isinstance(media, dict) or not isinstance(media.get("status"), str):
            raise PinterestError(
                f"Pinterest's answer about media {media_id} has no status",
                request_id=self.last_request_id,
                body=media,
            )
        return media

    # --- OAuth (https://developers.pinterest.com/docs/getting-started/authentication/) ---

    def authorize_url(self, state: str, scopes=REQUIRED_SCOPES) -> str:
        """The Pinterest page a person is sent to, to grant the app access to their account."""
        app_id = _required(self.config.app_id, "PINTEREST_APP_ID")
        redirect_uri = _required(self.config.redirect_uri, "PINTEREST_REDIRECT_URI")
        query = urlencode(
            {
                "client_id": app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": ",".join(scopes),
                "state": state,
            }
        )
        base = self.config.oauth_authorize_url
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade the authorization code from the callback for tokens.

        ``continuous_refresh=true`` asks for the 60-day rolling refresh token (Pinterest's
        only kind since 2025-09-25; apps created before must ask for it).
        """
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": _required(self.config.redirect_uri, "PINTEREST_REDIRECT_URI"),
                "continuous_refresh": "true",
            }
        )

    def refresh_access_token(self, refresh_token: str) -> TokenGrant:
        """A new access token AND a new refresh token (the old one stops working: store it)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, form: dict) -> TokenGrant:
        auth = HTTPBasicAuth(
            _required(self.config.app_id, "PINTEREST_APP_ID"), _required(self.config.app_secret, "PINTEREST_APP_SECRET")
        )
        data = self._request("POST", "/oauth/token", data=form, auth=auth)
        if not isinstance(data, dict) or not data.get("access_token"):
            raise PinterestError(
                "Pinterest's token response has no access token",
                request_id=self.last_request_id,
            )
        expires_at = _int_or_none(data.get("refresh_token_expires_at"))
        return TokenGrant(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_in=_int_or_none(data.get("expires_in")),
            refresh_token_expires_in=_int_or_none(data.get("refresh_token_expires_in")),
            refresh_token_expires_at=(datetime.fromtimestamp(expires_at, tz=UTC) if expires_at is not None else None),
            scope=str(data.get("scope") or ""),
            token_type=str(data.get("token_type") or "bearer"),
        )

    # --- plumbing -------------------------------------------------------------------

    def _paginate(self, path: str, *, page_size: int, max_pages: int, complete: bool = False) -> Iterator[dict]:
        """The items of every page up to ``max_pages``; with ``complete``, running into that
        cap with a bookmark left is a ``PinterestError`` instead of a quiet stop."""
        bookmark = None
        seen = set()
        for _ in range(max_pages):
            params = {"page_size": page_size}
            if bookmark:
                params["bookmark"] = bookmark
            page = self._request("GET", path, params=params)
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise PinterestError(
                    f"Pinterest's answer to GET {path} has no list of items",
                    request_id=self.last_request_id,
                    body=page,
                )
            yield from items
            bookmark = page.get("bookmark")
            if not bookmark:
                return
            if bookmark in seen:
                raise PinterestError(
                    f"Pinterest repeated a bookmark while paging GET {path}",
                    request_id=self.last_request_id,
                )
            seen.add(bookmark)
        if complete:
            raise PinterestError(
                f"GET {path} still had more after {max_pages} pages; stopped rather than return part of the list",
                request_id=self.last_request_id,
            )

    def _request(self, method: str, path: str, *, params=None, json=None, data=None, auth=None, content_type=None):
        """Send one request and return its decoded JSON body; raise per the module docstring.

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
        return self._judge(method, path, response)

    def _send(
        self, method: str, url: str, *, what: str, timeout, peer: str = "Pinterest", url_source: str = "", **kwargs
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

    def _judge(self, method: str, path: str, response: requests.Response):
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
        context = {
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


_S3_CODE = re.compile(r"<Code>([^<]{1,200})</Code>")
_S3_MESSAGE = re.compile(r"<Message>([^<]{1,1000})</Message>")


def _s3_error(response: requests.Response) -> tuple[str, str]:
    """(code, message) of an upload host's error answer: S3's XML ``<Error>`` when it is
    one (read with two patterns, not an XML parser), else the status and the body text."""
    text = response.text or ""
    code, message = _S3_CODE.search(text), _S3_MESSAGE.search(text)
    if code:
        return code.group(1).strip(), message.group(1).strip() if message else ""
    reason = f"HTTP {response.status_code} {response.reason or ''}".strip()
    flat = " ".join(text.split())
    return reason, (flat[:300] + "...") if len(flat) > 300 else flat


def _required(value: str, name: str) -> str:
    """``value``, or a ``PinterestConfigurationError`` naming the setting ``name`` it comes from."""
    if not value:
        raise PinterestConfigurationError(f"{name} is not set: the Pinterest app is not configured")
    return value


def _int_or_none(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
