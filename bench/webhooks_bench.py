#!/usr/bin/env python
"""The webhooks benchmark: events per second and lag from commit to delivery (not a test).

    .venv/bin/python bench/webhooks_bench.py [--events 10000] [--rate N] [--workers 2] [--backlog]
        [--postgres URL] [--quick]

It creates a fresh PostgreSQL database (``bench_webhooks_<pid>`` on
``postgres://postgres@127.0.0.1:5432`` or ``$BENCH_POSTGRES_URL``), migrates it, starts a
local receiver (http.server, threads, in this process: it verifies every signature and
notes when each event first arrived) and the real django-q2 cluster (``manage.py qcluster``,
ORM broker, ``Q_POLL_SECONDS=0.1``). Then it records ``--events`` events for one endpoint,
each in its own transaction, as the engine does (an ``Event`` and its ``Delivery`` written
with the change; the delivery task enqueued on commit), as fast as it can or at ``--rate``
per second, and waits until the receiver has every one.

``--backlog`` commits every event first without enqueueing anything, then enqueues one
drain task per worker: what the workers can send when a backlog has built up.

It prints: events per second (events / time from the first commit to the last first
arrival), the lag from each event's commit to its first arrival at the receiver (p50, p99,
max), and how many arrived more than once. ``BENCH_DEBUG=1`` adds the lag over the run and
the cluster's lines about recycled workers. The database is dropped at the end, also on
failure or Ctrl-C. It exits 1 when an event did not arrive, a signature was wrong or a delivery
was not marked delivered. See bench/README.md, section "Webhooks".

    .venv/bin/python bench/webhooks_bench.py --slow-peer [--quick] [--drip-seconds 180]

``--slow-peer`` needs no database: it starts local endpoints that answer a byte or a line at
a time (each within the read timeout, so only a total deadline stops them), POSTs to each at
once through ``webhooks.sender`` as a worker does, and prints how long each POST held its
thread and how it ended. A peer drips for ``--drip-seconds`` (``--quick``: 20) and then closes.

``--quick`` alone (CI's smoke check) runs both: 200 events through the outbox, then the
dripping peers for 20 s.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"


class BenchError(Exception):
    """The benchmark could not measure something; the message says what."""


class Receiver:
    """Verifies each request's signature and notes the first arrival of each event id."""

    def __init__(self, secret: str = ""):
        self.secret = secret
        self.first_arrival: dict[str, float] = {}
        self.requests = 0
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrived = time.time()
                parts = [p.split("=", 1) for p in self.headers.get("Pinpublisher-Signature", "").split(",") if "=" in p]
                t = next((v for k, v in parts if k == "t"), "0")
                expected = hmac.new(receiver.secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
                signed = any(hmac.compare_digest(expected, v) for k, v in parts if k == "v1")
                with receiver.lock:
                    receiver.requests += 1
                    if not signed:
                        receiver.bad_signatures += 1
                    receiver.first_arrival.setdefault(self.headers["Pinpublisher-Event-Id"], arrived)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _admin(base: str):
    import psycopg

    return psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    try:
        os.killpg(process.pid, signal.SIGKILL)  # forked workers share its group: none may outlive it
    except ProcessLookupError:
        pass


def run(args) -> int:
    base = (args.postgres or os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES).rstrip("/")
    name = f"bench_webhooks_{os.getpid()}"
    try:
        with _admin(base) as admin:
            admin.execute(f"CREATE DATABASE {name}")
    except Exception as exc:  # psycopg's OperationalError and friends: say it in one line
        print(f"webhooks_bench: cannot use PostgreSQL at {base}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="webhooks_bench_"))
    cluster = None
    receiver = None
    try:
        from cryptography.fernet import Fernet

        os.environ.update({
            "DJANGO_SETTINGS_MODULE": "pinpublisher.settings", "DATABASE_URL": f"{base}/{name}", "DEBUG": "0",
            "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
            "PINPUBLISHER_TOKEN_KEYS": Fernet.generate_key().decode(), "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "INFO" if os.environ.get("BENCH_DEBUG") else "WARNING",
            "WEBHOOKS_ALLOW_LOCAL_ADDRESSES": "1", "Q_WORKERS": str(args.workers),
            "Q_POLL_SECONDS": "0.1", "PYTHONUNBUFFERED": "1",
        })
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0)
        from publishing.models import Tenant
        from webhooks.models import Delivery, EventType
        from webhooks.queue import enqueue_deliver_due
        from webhooks.services.endpoints import endpoint_create
        from webhooks.services.events import event_record

        receiver = Receiver()
        tenant = Tenant.objects.create(name="Webhooks bench")
        created = endpoint_create(tenant=tenant, url=receiver.url)
        receiver.secret = created.secret
        endpoint = created.endpoint

        log = workdir / "qcluster.log"
        with open(log, "ab") as out:
            cluster = subprocess.Popen([PYTHON, str(ROOT / "manage.py"), "qcluster"], cwd=ROOT, env=dict(os.environ),
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        # Warm up: the cluster is up once it has sent a few events.
        for n in range(5):
            with transaction.atomic():
                event_record(tenant_id=tenant.pk, event_type=EventType.PIN_PUBLISHED, data={"warmup": n},
                             endpoints=[endpoint])
        deadline = time.monotonic() + 60
        while len(receiver.first_arrival) < 5:
            if cluster.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the cluster did not deliver the warm-up events:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        receiver.first_arrival.clear()
        receiver.requests = 0

        print(f"webhooks bench: {args.events} events, one endpoint, {args.workers} django-q2 workers, "
              f"rate {'as fast as possible' if not args.rate else f'{args.rate}/s'}; "
              f"load average {os.getloadavg()[0]:.2f}; PostgreSQL {connection.cursor().connection.info.server_version}")
        committed: dict[str, float] = {}
        if args.backlog:
            # Everything committed first, no task enqueued; then one drain task per worker.
            import webhooks.services.events as events_module

            events_module.enqueue_deliver = lambda **kwargs: None
        started = time.time()
        for n in range(args.events):
            if args.rate:
                wait = started + n / args.rate - time.time()
                if wait > 0:
                    time.sleep(wait)
            with transaction.atomic():
                event = event_record(tenant_id=tenant.pk, event_type=EventType.PIN_PUBLISHED,
                                     data={"pin_id": f"bench-{n}", "pinterest_pin_id": str(10**12 + n)},
                                     endpoints=[endpoint])
            committed[str(event.id)] = time.time()  # the commit (and the enqueue) just happened
        if args.backlog:
            drain_started = time.time()
            for _ in range(args.workers):
                enqueue_deliver_due()
        written = time.time()
        deadline = time.monotonic() + max(120, args.events / 20)
        while len(receiver.first_arrival) < args.events:
            if cluster.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"only {len(receiver.first_arrival)} of {args.events} events arrived:\n"
                                 f"{log.read_text()[-2000:]}")
            time.sleep(0.05)
        lags = [receiver.first_arrival[event_id] - at for event_id, at in committed.items()]
        first_commit, last_arrival = min(committed.values()), max(receiver.first_arrival.values())
        # A delivery is marked after its answer arrives: give the last ones a moment.
        settle = time.monotonic() + 15
        while (pending := Delivery.objects.exclude(status="delivered").count()) and time.monotonic() < settle:
            time.sleep(0.1)
        print(f"written:   {args.events} events in {written - started:.2f} s "
              f"({args.events / (written - started):.0f} commits/s, one transaction each)")
        if args.backlog:
            print(f"drained:   {args.events} events in {last_arrival - drain_started:.2f} s by {args.workers} "
                  f"delivery tasks -> {args.events / (last_arrival - drain_started):.0f} events/s "
                  f"(lag below includes the wait for the backlog)")
        else:
            print(f"delivered: {args.events} events in {last_arrival - first_commit:.2f} s -> "
                  f"{args.events / (last_arrival - first_commit):.0f} events/s")
        print(f"lag commit -> delivery: p50 {statistics.median(lags) * 1000:.0f} ms, "
              f"p99 {_percentile(lags, 0.99) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms")
        if os.environ.get("BENCH_DEBUG"):
            ordered = sorted(committed.items(), key=lambda item: item[1])
            for index in range(0, len(ordered), max(1, len(ordered) // 40)):
                event_id, at = ordered[index]
                lag = receiver.first_arrival[event_id] - at
                print(f"  #{index} committed +{at - first_commit:.2f} s lag {lag:.3f} s")
            slow = [(at - first_commit, receiver.first_arrival[e] - at) for e, at in ordered
                    if receiver.first_arrival[e] - at > 1]
            print(f"  {len(slow)} over 1 s; first {slow[:3]}, last {slow[-3:]}")
            interesting = [line for line in log.read_text().splitlines()
                           if any(word in line for word in ("recycl", "ERROR", "WARNING", "timed out", "Process-"))]
            print("\n".join(interesting[-40:]))
        print(f"requests {receiver.requests} (duplicates {receiver.requests - args.events}), "
              f"bad signatures {receiver.bad_signatures}, deliveries not marked delivered {pending}")
        if receiver.bad_signatures or pending:  # a duplicate is allowed (at least once), a loss is not (above)
            raise BenchError("every event must arrive signed and be marked delivered")
        return 0
    except BenchError as exc:
        print(f"webhooks_bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if cluster is not None:
            _stop(cluster)
        if receiver is not None:
            receiver.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        with _admin(base) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


#: A slow endpoint's ways of keeping a POST waiting: what it sends once the request is in, what
#: it then sends every so often, and how often (each within the 10 s read timeout).
SLOW_PEERS = {
    "a header line every 4 s": (b"HTTP/1.1 200 OK\r\n", b"X-Drip: 1\r\n", 4.0),
    "a header a byte every 2 s": (b"HTTP/1.1 200 OK\r\nX-Drip: ", b"x", 2.0),
    "the body a byte every 2 s": (b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"x", 2.0),
    "the status line a byte every 2 s": (b"H", b"T", 2.0),
}


class DrippingPeer:
    """An endpoint that answers ``head``, then ``drip`` every ``every`` seconds until ``lasts``
    seconds have passed or the client hangs up, then closes."""

    def __init__(self, head: bytes, drip: bytes, every: float, lasts: float):
        import socket

        self.head, self.drip, self.every, self.lasts = head, drip, every, lasts
        self.server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/hooks"

    def _serve(self):
        conn, _ = self.server.accept()
        ends = time.monotonic() + self.lasts
        with conn:
            try:
                received = b""
                while b"\r\n\r\n" not in received:
                    received += conn.recv(65536)
                conn.sendall(self.head)
                while time.monotonic() < ends:
                    time.sleep(min(self.every, max(0.0, ends - time.monotonic())))
                    conn.sendall(self.drip)
            except OSError:
                pass  # the client hung up


def slow_peer(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    os.environ.setdefault("WEBHOOKS_ALLOW_LOCAL_ADDRESSES", "1")
    import django

    django.setup()
    from webhooks import sender
    from webhooks.conf import webhooks_settings

    lasts = args.drip_seconds or (20.0 if args.quick else 180.0)
    deadline = float(webhooks_settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS)
    print(f"webhooks bench, slow peers: each drips for {lasts:g} s; delivery deadline {deadline:g} s, "
          f"read timeout {webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS:g} s (per read)")
    results: dict[str, tuple[float, object]] = {}

    def post(name: str, peer: DrippingPeer) -> None:
        started = time.monotonic()
        answer = sender.post(url=peer.url, body=b"{}", headers={})
        results[name] = (time.monotonic() - started, answer)

    threads = []
    for name, (head, drip, every) in SLOW_PEERS.items():
        thread = threading.Thread(target=post, args=(name, DrippingPeer(head, drip, every, lasts)), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(lasts + 60)
    width = max(len(name) for name in SLOW_PEERS)
    overran = []
    for name in SLOW_PEERS:
        if name not in results:
            print(f"{name:<{width}}  still held after {lasts + 60:g} s")
            overran.append(name)
            continue
        held, answer = results[name]
        outcome = "delivered" if answer.success else f"failed: {answer.error or answer.status_code}"
        print(f"{name:<{width}}  held {held:6.1f} s  {outcome[:110]}")
        if held > deadline + 5:
            overran.append(name)
    if overran:
        print(f"webhooks_bench: held past the {deadline:g} s deadline: {', '.join(overran)}", file=sys.stderr)
    return 1 if overran else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=0, help="events per second to write (0: as fast as possible)")
    parser.add_argument("--workers", type=int, default=2, help="django-q2 workers (Q_WORKERS)")
    parser.add_argument("--backlog", action="store_true",
                        help="commit every event first (no task), then one drain task per worker: sending capacity")
    parser.add_argument("--postgres", help=f"server URL without a database name (default {DEFAULT_POSTGRES})")
    parser.add_argument("--slow-peer", action="store_true",
                        help="no database: how long endpoints that drip their answer hold a delivery")
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke check: 200 events, then dripping peers for 20 s (--slow-peer: only those)")
    parser.add_argument("--drip-seconds", type=float, default=0, help="with --slow-peer: how long each peer drips")
    args = parser.parse_args(argv)
    if args.slow_peer:
        return slow_peer(args)
    if args.quick:
        args.events = 200
        return run(args) or slow_peer(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
