"""The stand-in's HTTP server: a threaded ``http.server`` around ``StandinState``.

``Standin`` is the state plus a server: ``start()`` binds (port 0 picks a free one) and
serves in a background thread, ``stop()`` ends it and closes every open connection,
``serve_forever()`` runs in the foreground (the management command).
``run_standin(**options)`` is the context manager for scripts and benchmarks::

    with run_standin(latency_ms=50) as standin:
        os.environ["PINTEREST_API_BASE"] = standin.api_base
        ...

HTTP/1.1 with keep-alive, like Pinterest. A "drop" closes the connection without a
byte of answer (the client sees the connection end: outcome unknown); a "hang" holds
it for ``hang_seconds`` (cut short by ``stop()``), then drops it. Latency is waited
before a request is handled, outside the state lock.
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import struct
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pinterest.standin.api import Reply, Request, handle
from pinterest.standin.media_upload import handle_media_upload, is_media_upload
from pinterest.standin.state import DEFAULT_HANG_SECONDS, DEFAULT_MEDIA_PROCESSING_SECONDS, StandinState

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PinterestStandin/1.0"
    # An idle keep-alive connection is closed after this long (stop() closes the rest).
    timeout = 120
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms.
    disable_nagle_algorithm = True

    server: _Server

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self):
        standin = self.server.standin
        if is_media_upload(self.command, self.path):  # streamed: never read whole into memory
            reply = handle_media_upload(standin, self.path, dict(self.headers.items()), self.rfile)
            return self._drop() if reply.then == "drop" else self._answer(reply)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if standin.latency_ms and not self.path.startswith("/_standin/"):
            if standin.stopping.wait(standin.latency_ms / 1000):
                return self._drop()
        request = Request(
            method=self.command,
            target=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            reply = handle(standin, request)
        except Exception as err:  # a bug in the stand-in: answer like a 500, keep serving
            logger.exception("stand-in failed on %s %s", self.command, request.path)
            reply = Reply(
                500,
                {"code": 500, "message": f"Stand-in error: {err!r}"},
                headers={"x-pinterest-rid": secrets.token_hex(8)},
            )
        if reply.then == "hang":
            standin.stopping.wait(reply.hang_seconds)
            return self._drop()
        if reply.then == "drop":
            return self._drop()
        self._answer(reply)

    def _answer(self, reply: Reply):
        headers = dict(reply.headers)
        if isinstance(reply.body, str):
            payload = reply.body.encode("utf-8")
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        elif reply.body is None:
            payload = b""
        else:
            payload = json.dumps(reply.body).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _drop(self):
        """End the connection without answering; SO_LINGER 0 makes the close a reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    def log_message(self, format, *args):
        # The request line carries OAuth codes in its query: log the path only.
        logger.debug("stand-in %s %s", self.command, self.path.split("?", 1)[0])


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, standin):
        self.standin = standin
        self.open_connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self):
        with self.connections_lock:
            connections = list(self.open_connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Standin(StandinState):
    """A running Pinterest stand-in: the Python API of ``StandinState`` plus its URLs."""

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        latency_ms=0,
        rate_limit=None,
        rate_limit_window_seconds=60.0,
        retry_after=True,
        rate_limit_category="write",
        hang_seconds=DEFAULT_HANG_SECONDS,
        app_id=None,
        app_secret=None,
        seed_demo=False,
        media_processing_seconds=DEFAULT_MEDIA_PROCESSING_SECONDS,
    ):
        super().__init__(
            hang_seconds=hang_seconds,
            app_id=app_id,
            app_secret=app_secret,
            media_processing_seconds=media_processing_seconds,
        )
        self.host = host
        self.port = port
        self.stopping = threading.Event()
        self._server = None
        self._thread = None
        self.set_latency(latency_ms)
        if rate_limit:
            self.set_rate_limit(
                rate_limit, rate_limit_window_seconds, retry_after=retry_after, category=rate_limit_category
            )
        if seed_demo:
            self.seed_demo()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``PINTEREST_API_BASE`` must be set to."""
        return f"{self.base_url}/v5"

    @property
    def authorize_url(self) -> str:
        """What ``PINTEREST_OAUTH_AUTHORIZE_URL`` must be set to."""
        return f"{self.base_url}/oauth/"

    @property
    def control_url(self) -> str:
        return f"{self.base_url}/_standin/control"

    @property
    def state_url(self) -> str:
        return f"{self.base_url}/_standin/state"

    def bind(self):
        self.stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]

    def start(self):
        """Serve in a daemon thread; returns once the port is bound."""
        self.bind()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"pinterest-standin-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in this thread until interrupted (KeyboardInterrupt), then stop."""
        if self._server is None:
            self.bind()
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    def stop(self):
        """Stop serving, end hangs and latency waits, close every connection."""
        self.stopping.set()
        server, self._server = self._server, None
        if server is None:
            return
        if self._thread is not None:
            server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        server.close_open_connections()
        server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


@contextmanager
def run_standin(**options):
    """Start a ``Standin(**options)`` on a free port (unless ``port=`` is given); stop it after."""
    standin = Standin(**options)
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()
