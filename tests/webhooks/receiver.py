"""A real HTTP receiver for webhook tests: http.server in a thread, scripted answers.

It records every request (path, headers, raw body, arrival time) and answers from a script
(``fail_next``, ``hang_next``, ``answer_next``), else 200. ``events`` decodes the bodies.
``DrippingPeer`` answers as slowly as it likes, a byte or a header line at a time.
"""

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes
    at: float

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(self):
        self.received: list[Received] = []
        self._script: deque = deque()
        self._lock = threading.Lock()
        self.release = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(
                        Received(path=self.path, headers=dict(self.headers.items()), body=body, at=time.time())
                    )
                    step = receiver._script.popleft() if receiver._script else ("answer", 200, b"ok", {})
                receiver.arrived.set()
                kind, status, payload, headers = step
                if kind == "hang":
                    receiver.release.wait(30)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer_next(self, status=200, body=b"ok", headers=None, count=1):
        for _ in range(count):
            self._script.append(("answer", status, body, headers or {}))

    def fail_next(self, count=1, status=500, body=b"receiver down"):
        self.answer_next(status=status, body=body, count=count)

    def hang_next(self):
        """The next request gets no answer until ``release`` is set (or 30 s)."""
        self._script.append(("hang", 200, b"late", {}))

    @property
    def events(self) -> list[dict]:
        return [item.event for item in self.received]


class DrippingPeer:
    """A TCP peer as slow as a hostile endpoint: once a request's headers are in, it sends
    ``head``, then ``drip`` every ``every`` seconds for ``lasts`` seconds, then ``tail``, and
    closes. With nothing to send it just holds the connection (a TLS client gets no
    handshake). ``hung_up`` is set when the client closed the connection first (it gave up)."""

    def __init__(self, *, head=b"", drip=b"", tail=b"", every=0.05, lasts=10.0):
        self.head, self.drip, self.tail, self.every, self.lasts = head, drip, tail, every, lasts
        self.hung_up = threading.Event()
        self.stopped = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        self.server.close()

    def url(self, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.server.getsockname()[1]}/hooks"

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        received, head_sent = b"", False
        ends = time.monotonic() + self.lasts
        with conn:
            try:
                while time.monotonic() < ends and not self.stopped.is_set():
                    readable, _, _ = select.select([conn], [], [], self.every)
                    if readable:
                        data = conn.recv(65536)
                        if not data:
                            self.hung_up.set()
                            return
                        received += data
                    if self.head and not head_sent and b"\r\n\r\n" in received:
                        conn.sendall(self.head)
                        head_sent = True
                    elif head_sent and self.drip and not readable:
                        conn.sendall(self.drip)
                if head_sent:
                    conn.sendall(self.tail)
            except OSError:
                self.hung_up.set()
