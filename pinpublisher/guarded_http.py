"""Guarded HTTP for URLs a user gave (webhooks' POSTs, feeds' GETs): one implementation of the
connection checks and the deadline, so both fetchers keep the same rules.

- Every connection is checked where it is made: the host is resolved, each address it
  resolved to is judged (the ``judge`` of the ``Deadline`` in force: webhooks' and feeds'
  bindings of ``pinpublisher.addresses``; without one, public addresses only) and the socket
  is opened to that checked address, never to a second lookup, so DNS rebinding cannot slip
  past it (``GuardedAdapter``). Proxies from the environment are ignored: a proxy would
  connect for us.
- A ``Deadline`` bounds all of one exchange: resolving, connecting, the TLS handshake,
  sending, the status line, the headers and the body. A read timeout bounds one read only, so
  a peer sending a byte every few seconds would otherwise hold the worker for as long as it
  likes. Waits that start are cut to the time left; the name is resolved in a helper thread
  that is given up on; when the deadline passes a timer shuts down the exchange's sockets,
  which ends whatever read, write or handshake is blocked on them.

One ``requests`` session per thread, process and user agent, so connections are reused.
"""

import ipaddress
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from pinpublisher.addresses import IPAddress, public_address_problem

#: Why an address may not be reached (None: it may).
Judge = Callable[[IPAddress], "str | None"]

class AddressNotAllowed(NewConnectionError):
    """The host resolved to an address the caller may not reach; nothing was sent."""

    def __init__(self, conn: Any, problem: str) -> None:
        self.problem = problem
        super().__init__(conn, problem)


def resolve(host: str, port: int) -> list[tuple]:
    """``getaddrinfo`` for a stream socket (a seam for tests that play DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _shut_down(holder: Any) -> None:
    """Shut down a socket (or a connection's), so a read blocked on it in another thread ends
    now. The plain socket's shutdown, also under TLS: SSLSocket's own would reset its state
    under the reader's feet."""
    sock = holder if isinstance(holder, socket.socket) else getattr(holder, "sock", None)
    if isinstance(sock, socket.socket):
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # closed already, or never connected


class Deadline:
    """The time one exchange has in all, for the thread making it (``Deadline.current()``), and
    the judge of the addresses it may connect to.

    Waits that start are cut to the time left (``cut``); what is already waiting is ended by a
    timer that shuts down every socket and connection ``watch``ed when the deadline passes.
    """

    _local = threading.local()

    def __init__(self, seconds: float, *, judge: Judge = public_address_problem) -> None:
        self.seconds = seconds
        self.judge = judge
        self.ends = time.monotonic() + seconds
        #: Set by the timer: the sockets were shut down, whatever came back is incomplete.
        self.passed = False
        self._over = False
        self._watched: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @classmethod
    def current(cls) -> "Deadline | None":
        return getattr(cls._local, "deadline", None)

    def left(self) -> float:
        return self.ends - time.monotonic()

    def cut(self, timeout: float | None) -> float:
        """``timeout`` (None: none) cut to the time left, which must be some."""
        left = self.left()
        if left <= 0:
            raise TimeoutError("the deadline has passed")
        return left if timeout is None else min(timeout, left)

    def watch(self, holder: Any) -> None:
        """Shut ``holder`` (a socket, or a connection whose ``sock`` is one) down when the
        deadline passes, or now if it has."""
        with self._lock:
            self._watched.append(holder)
            if self.passed:
                _shut_down(holder)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.passed = True
            for holder in self._watched:
                _shut_down(holder)

    def __enter__(self) -> "Deadline":
        self._local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._over = True
        self._timer.cancel()
        self._local.deadline = None


def _resolve_in_time(host: str, port: int, deadline: Deadline | None) -> list[tuple]:
    """``resolve``, given up on when the deadline passes. ``getaddrinfo`` cannot be
    interrupted, so a slow lookup runs on in its daemon thread until the resolver's own
    timeouts end it; the exchange does not wait for it."""
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = False
    if deadline is None or literal:
        return resolve(host, port)
    outcome: list = []

    def lookup() -> None:
        try:
            outcome.append(resolve(host, port))
        except Exception as exc:  # handed to the waiting thread, which raises it
            outcome.append(exc)

    thread = threading.Thread(target=lookup, name=f"guarded-resolve-{host}", daemon=True)
    thread.start()
    thread.join(deadline.cut(None))
    if not outcome:
        raise TimeoutError(f"resolving {host} took longer than the deadline")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


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
        deadline = Deadline.current()
        try:
            infos = _resolve_in_time(self._dns_host, self.port, deadline)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Resolving {self.host} timed out: {exc}") from exc
        addresses: list[str] = []
        for *_, sockaddr in infos:
            resolved = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            problem = (deadline.judge if deadline else public_address_problem)(resolved)
            if problem:
                # Refused outright when any answer is local: a name that is half public, half
                # loopback is an attempt, not a mistake.
                raise AddressNotAllowed(self, f"{self.host} resolves to {resolved}, {problem}")
            addresses.append(str(resolved))
        failure: OSError | None = None
        for address in dict.fromkeys(addresses):
            try:
                timeout = deadline.cut(self.timeout) if deadline else self.timeout
                sock = urllib3_connection.create_connection(
                    (address, self.port), timeout, source_address=self.source_address,
                    socket_options=self.socket_options,
                )
                if deadline:
                    deadline.watch(sock)
                    try:
                        # What comes next (the TLS handshake: CPython bounds all of it by the
                        # socket's timeout) gets what is left.
                        sock.settimeout(deadline.cut(self.timeout))
                    except TimeoutError:
                        sock.close()
                        raise
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

    def request(self, *args: Any, **kwargs: Any) -> None:
        # Also a connection kept alive from an earlier exchange: its socket is this one's now.
        deadline = Deadline.current()
        if deadline:
            deadline.watch(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


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
        raise requests.exceptions.InvalidProxyURL("Guarded requests never go through a proxy.")


_local = threading.local()


def session(user_agent: str) -> requests.Session:
    """This thread's session for ``user_agent`` (a forked worker makes its own: sockets are not shared)."""
    sessions: tuple[int, dict[str, requests.Session]] | None = getattr(_local, "sessions", None)
    if sessions is None or sessions[0] != os.getpid():
        sessions = _local.sessions = (os.getpid(), {})
    found = sessions[1].get(user_agent)
    if found is None:
        session = requests.Session()
        session.headers["User-Agent"] = user_agent
        session.trust_env = False  # no proxies, no .netrc credentials from the environment
        adapter = GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        found = sessions[1][user_agent] = session
    return found


def find_cause(exc: BaseException | None, kind: type) -> BaseException | None:
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




def describe_failure(exc: requests.RequestException, *, refused: str, connect_timeout: float,
                     read_timeout: float) -> str:
    """One readable line for a transport failure; ``refused`` is the line for a refused address,
    with ``{problem}`` in it."""
    refusal = find_cause(exc, AddressNotAllowed)
    if isinstance(refusal, AddressNotAllowed):
        return refused.format(problem=refusal.problem)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"Timed out connecting ({connect_timeout:g} s)."
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"No answer within {read_timeout:g} s."
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"Could not connect: {exc}"
    return f"{type(exc).__name__}: {exc}"
