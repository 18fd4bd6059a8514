"""The only HTTP the webhooks app makes: one POST to an endpoint, and what came back.

- Every connection is checked where it is made: the host is resolved, each address it
  resolved to is judged (``webhooks.addresses.address_problem``) and the socket is opened to
  that checked address, never to a second lookup, so DNS rebinding cannot slip past it
  (``GuardedAdapter``). Proxies from the environment are ignored: a proxy would connect for us.
- No redirect is followed (a 3xx is a failed attempt), timeouts are short
  (``WEBHOOKS_CONNECT_TIMEOUT_SECONDS``, ``WEBHOOKS_READ_TIMEOUT_SECONDS``), and at most the
  first ``RESPONSE_KEPT_BYTES`` of the answer are read.
- A transport failure is an ``Answer`` with an ``error``, never an exception: the caller
  records it and retries later. Misconfiguration and bugs are not caught.

One ``requests`` session per thread and process, so connections to an endpoint are reused.
"""

import ipaddress
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from webhooks.addresses import address_problem, local_allowed
from webhooks.conf import RESPONSE_KEPT_BYTES, webhooks_settings

USER_AGENT = "pinpublisher-webhooks/1.0"


class AddressNotAllowed(NewConnectionError):
    """The host resolved to an address webhooks may not reach; nothing was sent."""

    def __init__(self, conn: Any, problem: str) -> None:
        self.problem = problem
        super().__init__(conn, problem)


def resolve(host: str, port: int) -> list[tuple]:
    """``getaddrinfo`` for a stream socket (a seam for tests that play DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


class _CheckedAddressMixin:
    """Resolve, judge every address, connect to a judged one. Replaces urllib3's ``_new_conn``,
    which HTTPConnection and HTTPSConnection (before its TLS handshake) both call."""

    host: str
    port: int
    timeout: float | None
    source_address: tuple[str, int] | None
    socket_options: list | None
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        if local_allowed():
            return super()._new_conn()  # type: ignore[misc]
        try:
            infos = resolve(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        addresses: list[str] = []
        for *_, sockaddr in infos:
            resolved = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            problem = address_problem(resolved)
            if problem:
                # Refused outright when any answer is local: a name that is half public, half
                # loopback is an attempt, not a mistake.
                raise AddressNotAllowed(self, f"{self.host} resolves to {resolved}, {problem}")
            addresses.append(str(resolved))
        failure: OSError | None = None
        for address in dict.fromkeys(addresses):
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                failure = exc
                continue
            sys.audit("http.client.connect", self, self.host, self.port)
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")  # type: ignore[arg-type]


class CheckedHTTPConnection(_CheckedAddressMixin, HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedAddressMixin, HTTPSConnection):
    pass


class CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections check the address they connect to."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": CheckedHTTPConnectionPool, "https": CheckedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy: Any, **proxy_kwargs: Any) -> Any:
        raise requests.exceptions.InvalidProxyURL("Webhooks are never sent through a proxy.")


_local = threading.local()


def _session() -> requests.Session:
    """This thread's session (a forked worker makes its own: sockets are not shared)."""
    pid, session = getattr(_local, "session", (None, None))
    if session is None or pid != os.getpid():
        session = requests.Session()
        session.trust_env = False  # no proxies, no .netrc credentials from the environment
        adapter = GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _local.session = (os.getpid(), session)
    return session


@dataclass(frozen=True)
class Answer:
    """How one POST ended: the status (None when none came), the answer's first bytes, and
    for a transport failure what happened."""

    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _find(exc: BaseException | None, kind: type) -> BaseException | None:
    """The first ``kind`` in an exception's chain (requests wraps urllib3's, which wrap ours)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return exc
        reason = getattr(exc, "reason", None)
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = reason if isinstance(reason, BaseException) else inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def _describe(exc: requests.RequestException) -> str:
    refused = _find(exc, AddressNotAllowed)
    if isinstance(refused, AddressNotAllowed):
        return f"Not sent: {refused.problem} (webhooks go to public addresses only)."
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"Timed out connecting ({webhooks_settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS:g} s)."
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"No answer within {webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS:g} s."
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"Could not connect: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _read_capped(response: requests.Response) -> bytes:
    kept = b""
    for chunk in response.iter_content(chunk_size=RESPONSE_KEPT_BYTES):
        kept += chunk
        if len(kept) >= RESPONSE_KEPT_BYTES:
            break
    return kept[:RESPONSE_KEPT_BYTES]


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; never follows a redirect, never raises for the network."""
    started = time.monotonic()
    status_code, kept, error = None, b"", ""
    timeout = (webhooks_settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS, webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS)
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers,
    }
    try:
        response = _session().post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                                   stream=True)
        status_code = response.status_code
        try:
            kept = _read_capped(response)
        finally:
            # A body read to its end has already given the connection back for reuse; one
            # cut short is closed with the connection.
            response.close()
        if response.is_redirect:
            error = f"Redirect to {response.headers.get('Location', '?')!r} not followed."
    except requests.RequestException as exc:
        error = _describe(exc)
    duration_ms = round((time.monotonic() - started) * 1000)
    # PostgreSQL text cannot hold NUL: a receiver answering one must not break the attempt log.
    text = kept.decode("utf-8", "replace").replace("\x00", "\ufffd")
    return Answer(status_code=status_code, body=text, error=error, duration_ms=duration_ms)
