"""API load benchmark: the pin list and pin retrieve endpoints under gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_bench .venv/bin/python bench/api_load.py

What it does, all on this machine (loopback only, bounded in time):
1. migrates the database in DATABASE_URL (PostgreSQL; refused otherwise) and creates its own
   data: one tenant with an API key, a connection, boards, a project, articles and
   ``--pins`` pins (2000);
2. starts gunicorn with ``--workers`` (2) on a free loopback port, DEBUG off, persistent
   database connections (DATABASE_CONN_MAX_AGE=60 unless set) and throttling set far above
   what the run can reach (the throttle's code still runs);
3. runs ``--clients`` (16) threads for ``--duration`` (30 s), each with its own
   http.client connection, each request picked at random: half ``GET /api/pins/?page=N``
   (50 pins a page, a random page), half ``GET /api/pins/<random id>/``;
4. prints requests per second, p50 and p99 latency and the error count (anything but a 200,
   or a transport error), overall and per endpoint, and the server's CPU time per request
   (the gunicorn workers and their PostgreSQL backends, read from /proc on Linux); stops
   gunicorn and deletes its data.

The load generator shares the machine's cores with the server, as it would on a laptop; the
numbers are for comparing runs on the same machine. Throughput and latency follow whatever
else the machine is doing; CPU time per request much less so, which makes it the number to
compare on a shared machine. Exits 1 when there were errors. ``--quick`` (CI's smoke check):
200 pins, 4 clients, 5 s.
"""

import argparse
import http.client
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (30)")
    parser.add_argument("--pins", type=int, default=2000, help="pins to create (2000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker, for gthread (1)")
    parser.add_argument("--keep-data", action="store_true", help="leave the created tenant in the database")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check for CI: 200 pins, 4 clients, 5 s (fails on any error or no request)")
    args = parser.parse_args()
    if args.quick:
        args.pins, args.clients, args.duration = 200, 4, 5.0
    if not 1 <= args.clients <= 64 or not 1 <= args.duration <= 600:
        parser.error("--clients must be 1..64 and --duration 1..600 s (a bounded run)")
    return args


def configure_environment():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/pp_bench")
    from cryptography.fernet import Fernet

    os.environ.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
        PINPUBLISHER_TOKEN_KEYS=os.environ.get("PINPUBLISHER_TOKEN_KEYS") or Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain http on loopback
        API_THROTTLE_USER_RATE="100000000/hour",
        API_THROTTLE_KEY_RATE="100000000/hour",
        DJANGO_SETTINGS_MODULE="pinpublisher.settings",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"),
    )
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_data(pin_count):
    """One tenant with an API key and ``pin_count`` pins; returns (tenant, the key, pin ids)."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection as db_connection
    from django.utils import timezone

    from pinterest.models import Board, PinterestConnection
    from publishing.models import BlogArticle, BlogProject, Pin, PinStatus
    from publishing.services.tenants import tenant_create

    call_command("migrate", interactive=False, verbosity=0)
    suffix = secrets.token_hex(4)
    created = tenant_create(name=f"Bench {suffix}", owner_username=f"bench-{suffix}")
    connection = PinterestConnection.objects.create(
        tenant=created.tenant, pinterest_user_id=f"bench{suffix}", username="bench",
        access_token="pina_bench_secret", refresh_token="pinr_bench_secret",
    )
    boards = [
        Board.objects.create(connection=connection, pinterest_board_id=str(1000 + i), name=f"Board {i}")
        for i in range(5)
    ]
    project = BlogProject.objects.create(tenant=created.tenant, name="Bench blog", pinterest_connection=connection)
    articles = BlogArticle.objects.bulk_create(
        BlogArticle(project=project, url=f"https://blog.example.com/{i}", title=f"Article {i}") for i in range(200)
    )
    now = timezone.now()
    statuses = [PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHED, PinStatus.ERROR]
    pins = Pin.objects.bulk_create(
        Pin(
            project=project,
            article=articles[i % len(articles)],
            board=boards[i % len(boards)],
            title=f"Pin {i} " + "long " * (25 if i % 10 == 0 else 0),
            description=f"Description of pin {i}. " * 5,
            alt_text=f"Alt text {i}",
            image_url=f"https://images.example.com/{i}.jpg",
            status=statuses[i % len(statuses)],
            scheduled_at=now + timedelta(hours=i) if i % 4 == 1 else None,
        )
        for i in range(pin_count)
    )
    # Fresh rows have no planner statistics yet; a live table would.
    with db_connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return created.tenant, created.api_key, [str(pin.pk) for pin in pins]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port, args):
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "pinpublisher.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
         "--log-level", "warning"],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn exited before it answered")
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


@dataclass
class Stats:
    latencies: dict = field(default_factory=lambda: {"list": [], "retrieve": []})
    errors: int = 0
    error_samples: list = field(default_factory=list)
    cpu: tuple = (0.0, 0.0)  # CPU seconds of the gunicorn workers and of their PostgreSQL backends
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(port, token, pin_ids, pages, until, stats, seed):
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = {"list": [], "retrieve": []}
    errors, samples = 0, []
    while time.monotonic() < until:
        if rng.random() < 0.5:
            kind, path = "list", f"/api/pins/?page={rng.randint(1, pages)}"
        else:
            kind, path = "retrieve", f"/api/pins/{rng.choice(pin_ids)}/"
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            failed = response.status != 200
            detail = f"{response.status} {path}"
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            failed, detail = True, f"{type(exc).__name__} {path}"
        latencies[kind].append(time.perf_counter() - started)
        if failed:
            errors += 1
            if len(samples) < 5:
                samples.append(detail)
    conn.close()
    with stats.lock:
        for kind, values in latencies.items():
            stats.latencies[kind].extend(values)
        stats.errors += errors
        stats.error_samples.extend(samples)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


def cpu_seconds(pids):
    """pid -> user + system CPU seconds used so far, for those of ``pids`` still running (Linux)."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (proc(5))
    return used


def cpu_since(before, pids):
    """CPU seconds ``pids`` used since ``before`` (a process that appeared meanwhile: all of it)."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in cpu_seconds(pids).items())


def server_processes(server):
    """(gunicorn worker pids, PostgreSQL backend pids serving this database but not us)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.pid:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    from django.db import connection as db_connection

    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return workers, backends


def run_load(port, token, pin_ids, clients, duration, server):
    pages = math.ceil(len(pin_ids) / 50)
    # Warm-up (not counted): every worker imports and connects before the clock starts.
    client_loop(port, token, pin_ids, pages, time.monotonic() + 2, Stats(), seed=0)
    before = cpu_seconds([pid for pids in server_processes(server) for pid in pids])
    stats = Stats()
    until = time.monotonic() + duration
    threads = [
        threading.Thread(target=client_loop, args=(port, token, pin_ids, pages, until, stats, n + 1))
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Listed again: a worker may have opened its database connection only during the run.
    workers, backends = server_processes(server)
    stats.cpu = (cpu_since(before, workers), cpu_since(before, backends))
    return stats, time.monotonic() - started


def report(stats, elapsed, args):
    everything = stats.latencies["list"] + stats.latencies["retrieve"]
    print(f"\n{len(everything)} requests in {elapsed:.1f} s, {args.clients} clients, "
          f"gunicorn {args.workers} {args.worker_class} workers x {args.threads} threads, "
          f"{os.cpu_count()} cores, {args.pins} pins")
    print(f"{'endpoint':<22}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, values in (("GET /api/pins/?page=N", stats.latencies["list"]),
                         ("GET /api/pins/<id>/", stats.latencies["retrieve"]),
                         ("all", everything)):
        print(f"{name:<22}{len(values):>10}{len(values) / elapsed:>10.1f}"
              f"{percentile(values, 0.50) * 1000:>10.1f}{percentile(values, 0.99) * 1000:>10.1f}")
    print(f"errors: {stats.errors}" + (f" (e.g. {', '.join(stats.error_samples)})" if stats.errors else ""))
    workers, database = (seconds * 1000 / max(len(everything), 1) for seconds in stats.cpu)
    print(f"server CPU per request: {workers + database:.2f} ms "
          f"(gunicorn workers {workers:.2f} ms, PostgreSQL {database:.2f} ms)")


def main():
    args = parse_args()
    configure_environment()
    tenant, token, pin_ids = create_data(args.pins)
    port = free_port()
    server = start_server(port, args)
    try:
        stats, elapsed = run_load(port, token, pin_ids, args.clients, args.duration, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep_data:
            from django.db import connections

            from publishing.models import Pin

            Pin.objects.filter(project__tenant=tenant).delete()
            tenant.memberships.first().user.delete()
            tenant.delete()
            connections.close_all()
    report(stats, elapsed, args)
    if not stats.latencies["list"] or not stats.latencies["retrieve"]:
        print("no request of each endpoint was answered: the load did not run")
        return 1
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
