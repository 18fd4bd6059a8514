#!/usr/bin/env python
"""The sweep benchmark: prints numbers about the due-pin sweep on PostgreSQL (not a test).

    .venv/bin/python bench/sweep_bench.py [--quick] [--only PART ...] [--postgres URL]

It creates a fresh database (``bench_sweep_<pid>``) on the PostgreSQL server
(default ``postgres://postgres@127.0.0.1:5432``, or ``$BENCH_POSTGRES_URL``), migrates it,
runs the parts below against the local Pinterest stand-in (in this process, a thread) and
drops the database at the end, also on failure or Ctrl-C. Without PostgreSQL it refuses
with one line.

1. throughput: N due pins over M connections, stand-in latency L, pacing interval I, run
   by the real django-q2 cluster (``manage.py qcluster`` subprocess, ORM broker, poll
   0.1 s). The sweep task is enqueued once the cluster is up (and warmed by empty sweeps);
   the wall time runs from the enqueue to the ``published_at`` of the last pin. Compared
   with the pacing bound ceil(N/M) x I and the old sequential plan N x (I + L); the
   stand-in's records prove each pin was created once and the pacing gap was kept.
2. selection: the sweep's claim query (``SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1000`` on
   ``pins_due``, captured from ``sweep._claim_due`` itself) timed over 1,000 due pins among
   100,000 and 1,000,000 pins (median of several runs, each in a rolled-back transaction),
   with its EXPLAIN (ANALYZE, BUFFERS).
3. queries: database queries per published pin of an in-process sweep (interval 0; also
   paced), counted on every thread's connection (the dispatcher's and its pool's),
   SAVEPOINT/RELEASE excluded, with a breakdown.
4. memory: peak RSS of ``manage.py publish_due`` (interval 0, latency 0) over 0, 1,000 and
   10,000 due pins, the child's own ``VmHWM`` (its ``ru_maxrss`` would include this process's).

5. scale: N = 3 x M due pins over M accounts (M = 10, 100, 1,000), pacing 10 s, published by
   one qcluster's runners, on the ORM broker and on Redis; the same pins with pacing off give
   the machine's own limit; peak database connections and memory of the cluster. Then a bulk
   batch of 500 pins over 50 accounts against its pacing bound.
6. clusters: two qcluster processes; how many pins each published (runner results name the
   cluster) and the smallest gap between two creates of one account on the stand-in's clock.
7. ontime: 100 pins a minute scheduled over ``--ontime-minutes`` (10) across 50 accounts, with
   the schedules running; p50, p99 and max lateness (published_at - scheduled_at).
8. tenk: ``--tenk-accounts`` (10,000) accounts with one due pin each, two qcluster processes on
   Redis: exactly once, wall against the machine limit, each cluster process's memory, peak
   database connections against the documented bound, and ``/metrics`` afterwards (``bench/_tenk.py``).

``--quick`` runs every part with small sizes (a smoke check; the targets are for full sizes).
See bench/README.md, section "Sweep".
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
PARTS = ("throughput", "selection", "queries", "memory", "scale", "clusters", "ontime", "tenk")


@dataclass(frozen=True)
class Sizes:
    pins: int  # part 1: due pins
    connections: int  # part 1 and 4: Pinterest connections
    interval: float  # part 1: pacing interval, seconds
    latency_ms: int  # part 1: stand-in latency per request
    workers: int  # part 1: Q_WORKERS
    selection_totals: tuple[int, ...]  # part 2: all pins
    selection_due: int  # part 2: due pins among them (the claim's LIMIT)
    selection_runs: int  # part 2: timed runs per size (median printed)
    query_pins: int  # part 3
    memory_pins: tuple[int, ...]  # part 4
    memory_bytes_per_pin: int  # part 4: the bound between the two sizes (RSS moves by pages and arenas)


FULL = Sizes(200, 10, 0.2, 50, 2, (100_000, 1_000_000), 1000, 9, 100, (1_000, 10_000), 100)
# Small enough for CI. Part 4 at these sizes sees only a gross per-pin leak (10 KB a pin): a fresh
# process still grows by pages, malloc arenas and caches over its first few hundred pins (1.5 MiB
# from 50 to 250 pins, 8 KB a pin, too near the bound to tell; 0.4 MiB from 250 to 1,000), so the
# quick sizes start past most of that warm-up (200 -> 600: 0.8 MiB, 2 KB a pin); the full sizes
# hold the 100-byte target.
QUICK = Sizes(30, 10, 0.2, 50, 2, (10_000, 50_000), 1000, 5, 20, (200, 600), 10_000)

# Targets (full sizes).
TARGET_PACING_RATIO = 1.10
TARGET_GAP_SLACK = 0.005  # the smallest gap may be this far under the interval (request jitter)
TARGET_SELECTION_MS = 50.0
TARGET_SELECTION_GROWTH = 1.5


class BenchError(Exception):
    """The benchmark could not measure something; the message says what."""


# --- processes ----------------------------------------------------------------------

_children: list[subprocess.Popen] = []


def _start(args, *, env, log_path) -> subprocess.Popen:
    """A child in its own process group (so its workers can be found and stopped by its id)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children.append(process)
    return process


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(process: subprocess.Popen, *, timeout: float = 20.0) -> str:
    """SIGTERM, wait, then SIGKILL the child's group; returns how it ended."""
    how = "exited by itself"
    if process.returncode is None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
            how = f"stopped by SIGTERM (exit {process.returncode})"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            how = f"killed after {timeout:.0f} s without stopping"
    # Its forked workers share its process group: none may outlive it.
    deadline = time.monotonic() + 5
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
        how += "; leftover group members killed"
    if process in _children:
        _children.remove(process)
    return how


def _stop_all_children():
    for process in list(_children):
        try:
            _stop(process, timeout=10)
        except OSError:
            pass


def _env(**overrides) -> dict:
    env = dict(os.environ)
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def _tail(path, lines=30) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class StandinProcess:
    """The stand-in as its own process (``manage.py run_pinterest_standin``), driven over HTTP.

    Part 1 uses it so that nothing in this process (polling the database) delays the
    stand-in's answers or its clock; it offers the few calls of ``Standin`` the bench uses.
    """

    def __init__(self, *, latency_ms: int, log_path: Path):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_base = f"{self.base_url}/v5"
        self.log_path = log_path
        self.process = _start(
            [PYTHON, MANAGE, "run_pinterest_standin", "--port", str(port), "--latency-ms", str(latency_ms)],
            env=_env(), log_path=log_path,
        )
        import requests

        self.http = requests.Session()
        deadline = time.monotonic() + 30
        while True:
            try:
                self.http.get(f"{self.base_url}/_standin/state", timeout=2).raise_for_status()
                return
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise BenchError(f"the stand-in did not start:\n{_tail(log_path)}") from None
                time.sleep(0.1)

    def control(self, action: str, **arguments):
        response = self.http.post(f"{self.base_url}/_standin/control", json={"action": action, **arguments}, timeout=10)
        if response.status_code != 200:
            raise BenchError(f"stand-in control {action}: {response.status_code} {response.text[:200]}")
        return response.json()["result"]

    def create_user(self, username):
        from types import SimpleNamespace

        return SimpleNamespace(**self.control("create_user", username=username))

    def issue_tokens(self, user):
        access, refresh = self.control("issue_tokens", user=user.id)
        return access, refresh

    def add_board(self, user, name):
        return self.control("add_board", user=user.id, name=name)

    @property
    def creations(self) -> list:
        from types import SimpleNamespace

        state = self.http.get(f"{self.base_url}/_standin/state", timeout=30).json()
        return [SimpleNamespace(**creation) for creation in state["creations"]]

    def stop(self) -> str:
        self.http.close()
        return _stop(self.process)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


# --- database -----------------------------------------------------------------------


def _admin_connect(base: str):
    import psycopg

    return psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3)


def _configure_environment(base: str, name: str, workdir: Path):
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "pinpublisher.settings",
            "DATABASE_URL": f"{base}/{name}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
            "PINPUBLISHER_TOKEN_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "localhost",
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )


def _reset_data():
    """Empty every table the benchmark fills (no cluster may be running)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE publishing_tenant, django_q_ormq, django_q_task RESTART IDENTITY CASCADE")


@dataclass
class Account:
    user: object  # the stand-in's user (None without a stand-in)
    connection: object
    board: object
    project: object
    article: object


def _make_accounts(standin, count: int) -> list[Account]:
    """A tenant with ``count`` connected accounts, each with a board, a project and an article."""
    from datetime import timedelta

    from django.utils import timezone

    from pinterest.models import REQUIRED_SCOPES, Board, PinterestConnection
    from publishing.models import BlogArticle, BlogProject, Tenant

    now = timezone.now()
    tenant = Tenant.objects.create(name=f"Bench tenant {time.time_ns()}")
    accounts = []
    for index in range(count):
        if standin is not None:
            user = standin.create_user(f"bench{index}")
            access, refresh = standin.issue_tokens(user)
            user_id, username = str(user.id), user.username
            board_id = standin.add_board(user, f"Bench board {index}")
        else:
            user, access, refresh = None, f"pina_bench_{index}", f"pinr_bench_{index}"
            user_id, username, board_id = str(5_000_000 + index), f"bench{index}", str(9_000_000 + index)
        connection = PinterestConnection.objects.create(
            tenant=tenant, pinterest_user_id=user_id, username=username, access_token=access,
            refresh_token=refresh, access_token_expires_at=now + timedelta(days=30),
            refresh_token_expires_at=now + timedelta(days=60), scopes=",".join(REQUIRED_SCOPES),
        )
        board = Board.objects.create(connection=connection, pinterest_board_id=board_id, name=f"Bench board {index}")
        project = BlogProject.objects.create(
            tenant=tenant, name=f"Bench project {index}", pinterest_connection=connection
        )
        article = BlogArticle.objects.create(
            project=project, url=f"https://blog.example.com/bench/{index}", title=f"Bench article {index}"
        )
        accounts.append(Account(user, connection, board, project, article))
    return accounts


def _make_due_pins(accounts: list[Account], count: int):
    """``count`` ready pins, due five minutes ago, round-robin over the accounts."""
    from datetime import timedelta

    from django.utils import timezone

    from publishing.models import Pin, PinStatus

    due = timezone.now() - timedelta(minutes=5)
    batch = []
    for index in range(count):
        account = accounts[index % len(accounts)]
        batch.append(
            Pin(
                project=account.project, article=account.article, board=account.board,
                image_url=f"https://images.example.com/bench/{index}.jpg", title=f"Bench pin {index}",
                description=f"Benchmark pin number {index}", alt_text=f"Benchmark image {index}",
                status=PinStatus.READY_TO_SCHEDULE, scheduled_at=due + timedelta(milliseconds=index),
            )
        )
        if len(batch) == 2000:
            Pin.objects.bulk_create(batch)
            batch = []
    if batch:
        Pin.objects.bulk_create(batch)
    _analyze()


def _analyze():
    """Statistics for the planner, as a server's autovacuum gathers them (after 50 rows and a
    tenth of a table change, within its one-minute nap). This machine's PostgreSQL runs with
    autovacuum off, so without this every table the bench just filled would be planned as
    empty: the claim then walked every ready pin of every account (12 ms a claim at 3,000)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _status_counts() -> dict:
    from django.db.models import Count

    from publishing.models import Pin

    return {row["status"]: row["n"] for row in Pin.objects.order_by().values("status").annotate(n=Count("pk"))}


# --- 1. throughput ------------------------------------------------------------------


def _wait_for_tasks(task_ids, cluster, log_path, timeout=90.0):
    from django_q.models import Task

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = list(Task.objects.filter(id__in=task_ids))
        if len(done) == len(task_ids):
            failed = [task for task in done if not task.success]
            if failed:
                raise BenchError(f"a warm-up sweep failed in the cluster: {failed[0].result}")
            return
        if cluster.poll() is not None:
            raise BenchError(f"qcluster exited with {cluster.returncode}:\n{_tail(log_path)}")
        time.sleep(0.05)
    raise BenchError(f"the cluster did not run the warm-up tasks within {timeout:.0f} s:\n{_tail(log_path)}")


def _attempt_starts() -> dict:
    """Per connection, when each create request was about to be sent (sorted epoch seconds)."""
    from publishing.models import PublishAttempt

    starts: dict = {}
    rows = PublishAttempt.objects.order_by().values_list("pin__project__pinterest_connection_id", "started_at")
    for connection_id, started_at in rows:
        starts.setdefault(connection_id, []).append(started_at.timestamp())
    return {key: sorted(times) for key, times in starts.items()}


def bench_throughput(sizes: Sizes, workdir: Path, out) -> dict:
    from django.db.models import Max
    from django_q.models import Task
    from django_q.tasks import async_task

    from publishing.models import Pin, PinStatus

    n, m, interval, latency = sizes.pins, sizes.connections, sizes.interval, sizes.latency_ms / 1000
    bound = math.ceil(n / m) * interval
    sequential = n * (interval + latency)
    out(f"1. Sweep throughput: {n} due pins over {m} connections, stand-in latency {sizes.latency_ms} ms, "
        f"pacing interval {interval:g} s")
    out(f"   django-q2 qcluster subprocess: ORM broker on PostgreSQL, {sizes.workers} workers, poll 0.1 s, "
        f"PUBLISH_CALLS_IN_FLIGHT={m}")
    _reset_data()
    log_path = workdir / "qcluster.log"
    result = {"bound": bound, "sequential": sequential}
    with StandinProcess(latency_ms=sizes.latency_ms, log_path=workdir / "standin.log") as standin:
        accounts = _make_accounts(standin, m)
        env = _env(
            PINTEREST_API_BASE=standin.api_base,
            PINTEREST_PUBLISH_INTERVAL_SECONDS=interval,
            PUBLISH_CALLS_IN_FLIGHT=m,
            Q_POLL_SECONDS=0.1,
            Q_WORKERS=sizes.workers,
            LOG_LEVEL="INFO",
        )
        started = time.perf_counter()
        cluster = _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)
        try:
            # Up means it runs tasks: empty sweeps (nothing due yet) also warm every worker.
            warm = [async_task("publishing.tasks.publish_due") for _ in range(sizes.workers)]
            _wait_for_tasks(warm, cluster, log_path)
            out(f"   cluster up and warm after {time.perf_counter() - started:.1f} s")
            _make_due_pins(accounts, n)

            enqueued_wall = time.time()
            enqueued = time.perf_counter()
            task_id = async_task("publishing.tasks.publish_due", task_name=f"bench-sweep-{os.getpid()}")
            deadline = enqueued + max(60.0, 10 * bound)
            while True:
                counts = _status_counts()
                if counts.get(PinStatus.PUBLISHED, 0) == n:
                    break
                if not counts.get(PinStatus.READY_TO_SCHEDULE) and not counts.get(PinStatus.PUBLISHING):
                    break  # everything ended, some not published
                if cluster.poll() is not None:
                    raise BenchError(f"qcluster exited with {cluster.returncode}:\n{_tail(log_path)}")
                if time.perf_counter() > deadline:
                    break
                time.sleep(0.02)
            observed = time.perf_counter() - enqueued
            task = None
            task_deadline = time.monotonic() + 10
            while task is None and time.monotonic() < task_deadline:
                task = Task.objects.filter(id=task_id).first()
                if task is None:
                    time.sleep(0.05)
        finally:
            how = _stop(cluster)
        counts = _status_counts()
        last = Pin.objects.filter(status=PinStatus.PUBLISHED).aggregate(last=Max("published_at"))["last"]
        creations = standin.creations
        gaps = []
        for account in accounts:
            times = sorted(c.time for c in creations if c.user_id == account.user.id)
            gaps.extend(
                (b - a, account.connection.username, index)
                for index, (a, b) in enumerate(zip(times, times[1:], strict=False))
            )
        first_create = min((c.time for c in creations), default=None)

    published = counts.get(PinStatus.PUBLISHED, 0)
    if published != n:
        out(f"   NOT ALL PUBLISHED: {counts} after {observed:.1f} s")
    wall = (last.timestamp() - enqueued_wall) if last else float("nan")
    ratio = wall / bound
    result.update(wall=wall, ratio=ratio, published=published, n=n)
    out(f"   wall time, enqueue -> last pin published:   {wall:7.2f} s   ({published}/{n} published)")
    out(f"   pacing bound ceil({n}/{m}) x {interval:g} s:          {bound:7.2f} s   ratio {ratio:.3f} "
        f"(target <= {TARGET_PACING_RATIO:.2f}: {_verdict(ratio <= TARGET_PACING_RATIO and published == n)})")
    out(f"   old sequential plan {n} x ({interval:g} + {latency:g}) s:   {sequential:7.2f} s   "
        f"ratio {wall / sequential:.3f} ({sequential / wall:.1f}x faster)")
    attempts = _attempt_starts()
    first_sent = min((t for times in attempts.values() for t in times), default=None)
    parts = []
    if first_sent is not None:
        parts.append(f"first create sent at +{first_sent - enqueued_wall:.2f} s")
    if first_create is not None:
        parts.append(f"first pin created at +{first_create - enqueued_wall:.2f} s")
    if task is not None and task.stopped:
        parts.append(f"task done at +{task.stopped.timestamp() - enqueued_wall:.2f} s: {task.result}")
    out("   " + "; ".join(parts))
    unique_bodies = len({c.body_hash for c in creations})
    created_ids = Counter(c.pin_id for c in creations)
    db_ids = set(Pin.objects.filter(status=PinStatus.PUBLISHED).values_list("pinterest_pin_id", flat=True))
    once = len(creations) == n and unique_bodies == n and set(created_ids) == db_ids and published == n
    result["once"] = once
    out(f"   stand-in: {len(creations)} creates, {unique_bodies} distinct pin bodies, "
        f"{len(db_ids & set(created_ids))} match the stored pin ids -> every pin created exactly once: "
        f"{'yes' if once else 'NO'}")
    if gaps:
        gap, who, position = min(gaps)
        later = [g for g, _, index in gaps if index > 0]
        result["min_gap"] = gap
        ok = gap >= interval - TARGET_GAP_SLACK
        result["gap_ok"] = ok
        out(f"   smallest gap between two creates of one connection (stand-in clock): {gap * 1000:.1f} ms "
            f"({_ordinal(position)} gap of @{who}; target >= {(interval - TARGET_GAP_SLACK) * 1000:.0f} ms: "
            f"{_verdict(ok)})")
        first = [g for g, _, index in gaps if index == 0]
        out(f"     first gap of each connection: min {min(first) * 1000:.1f} ms; later gaps: "
            + (f"min {min(later) * 1000:.1f} ms, mean {statistics.fmean(later) * 1000:.1f} ms" if later else "none"))
        sent_first = [times[1] - times[0] for times in attempts.values() if len(times) > 1]
        sent_later = [b - a for times in attempts.values() for a, b in zip(times[1:], times[2:], strict=False)]
        if sent_first:
            out(f"     as sent (PublishAttempt.started_at, the worker's clock): first gap min "
                f"{min(sent_first) * 1000:.1f} ms" + (f", later gaps min {min(sent_later) * 1000:.1f} ms"
                                                       if sent_later else ""))
    out(f"   qcluster {how}; no process left in its group")
    if observed > max(60.0, 10 * bound):
        raise BenchError(f"the sweep did not finish within {observed:.0f} s:\n{_tail(log_path)}")
    if not once:
        raise BenchError(f"not every pin was published exactly once ({published}/{n} published, "
                         f"{len(creations)} creates)")
    return result


# --- 5-8. scale, bulk, clusters, on time (issue: throughput that grows) -----------------

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")  # emptied by the bench
TARGET_SCALE_RATIO = 1.2


def _cluster_env(standin, *, interval: float, broker: str, **extra) -> dict:
    settings = {
        "PINTEREST_API_BASE": standin.api_base,
        "PINTEREST_PUBLISH_INTERVAL_SECONDS": interval,
        "Q_POLL_SECONDS": 0.1,
        "Q_WORKERS": 4,
        "PUBLISH_RUNNERS": 2,
        "PUBLISH_CALLS_IN_FLIGHT": 8,
        "PUBLISH_RUNNER_TURN_SECONDS": 20,
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env = _env(**settings)
    if broker == "redis":
        env["Q_REDIS_URL"] = REDIS_URL
    else:
        env.pop("Q_REDIS_URL", None)
    return env


def _clean_queues():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE publishing_publishrunner, django_q_ormq, django_q_task, django_q_schedule")
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True, check=False)


def _manage_shell(env: dict, code: str) -> str:
    done = subprocess.run([PYTHON, MANAGE, "shell", "-c", code], env=env, capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    if done.returncode:
        raise BenchError(f"manage.py shell failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def _child_pids(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return {int(child) for child in handle.read().split()}
    except OSError:
        return set()


def _wait_cluster_up(cluster, log_path):
    deadline = time.monotonic() + 60
    while not _child_pids(cluster.pid):
        if cluster.poll() is not None or time.monotonic() > deadline:
            raise BenchError(f"qcluster did not start:\n{_tail(log_path)}")
        time.sleep(0.1)
    time.sleep(2.0)  # the workers import Django


def _group_rss(pgid: int) -> tuple[int, int]:
    """(sum, largest) RSS in bytes of the processes in a process group."""
    total = largest = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def _db_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _until_published(n: int, clusters: list, log_path, timeout: float) -> dict:
    """Wait until ``n`` pins are published (or nothing is left to do); sample the peaks."""
    from publishing.models import PinStatus

    peaks = {"db": 0, "rss_sum": 0, "rss_process": 0}
    deadline = time.monotonic() + timeout
    while True:
        counts = _status_counts()
        peaks["db"] = max(peaks["db"], _db_connections() - 1)  # less this process's own
        for cluster in clusters:
            total, largest = _group_rss(cluster.pid)
            peaks["rss_sum"] = max(peaks["rss_sum"], total)
            peaks["rss_process"] = max(peaks["rss_process"], largest)
        if counts.get(PinStatus.PUBLISHED, 0) >= n:
            return peaks
        if not counts.get(PinStatus.READY_TO_SCHEDULE) and not counts.get(PinStatus.PUBLISHING) and \
                not counts.get(PinStatus.DRAFT):
            return peaks
        if any(cluster.poll() is not None for cluster in clusters):
            raise BenchError(f"a qcluster exited:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            raise BenchError(f"not published within {timeout:.0f} s: {counts}")
        time.sleep(0.25)


def _last_published() -> float:
    from django.db.models import Max

    from publishing.models import Pin, PinStatus

    last = Pin.objects.filter(status=PinStatus.PUBLISHED).aggregate(last=Max("published_at"))["last"]
    return last.timestamp() if last else float("nan")


def _min_gap(creations) -> float:
    by_user: dict = {}
    for creation in creations:
        by_user.setdefault(creation.user_id, []).append(creation.time)
    gaps = []
    for times in by_user.values():
        times.sort()
        gaps += [b - a for a, b in zip(times, times[1:], strict=False)]
    return min(gaps) if gaps else float("nan")


def _publish_run(*, accounts_count: int, per_account: int, interval: float, broker: str, workdir: Path,
                 bulk: bool = False) -> dict:
    """N pins over M accounts published by one cluster's runners; wall from the start to the last pin."""
    from publishing.models import Pin, PinStatus

    _reset_data()
    _clean_queues()
    n = accounts_count * per_account
    log_path = workdir / f"qcluster-{broker}-{accounts_count}-{interval:g}.log"
    with StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
        accounts = _make_accounts(standin, accounts_count)
        _make_due_pins(accounts, n)
        if bulk:
            Pin.objects.update(status=PinStatus.DRAFT, scheduled_at=None)
        env = _cluster_env(standin, interval=interval, broker=broker)
        cluster = _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)
        try:
            _wait_cluster_up(cluster, log_path)
            started = time.time()
            if bulk:
                _manage_shell(env, "from publishing.engine import pins_publish_bulk; "
                                   "from publishing.models import Pin, Tenant; "
                                   "pins_publish_bulk(tenant=Tenant.objects.get(), "
                                   "pin_ids=list(Pin.objects.values_list('pk', flat=True)))")
            else:
                _manage_shell(env, "from publishing.engine import runners_start; runners_start()")
            bound = math.ceil(n / accounts_count) * interval
            peaks = _until_published(n, [cluster], log_path, timeout=max(120.0, 6 * bound + n * 0.2))
        finally:
            _stop(cluster)
        published = Pin.objects.filter(status=PinStatus.PUBLISHED).count()
        creations = standin.creations
    once = len(creations) == published == len({c.body_hash for c in creations})
    return {"wall": _last_published() - started, "published": published, "n": n, "once": once,
            "min_gap": _min_gap(creations), **peaks}


def _require_once(run: dict, what: str) -> None:
    if run["published"] != run["n"] or not run["once"]:
        raise BenchError(f"{what}: {run['published']}/{run['n']} published, each exactly once: "
                         f"{'yes' if run['once'] else 'NO'}")


def bench_scale(sizes: Sizes, workdir: Path, out, accounts: list[int] | None = None) -> dict:
    """Goal 1 at three sizes on both brokers, and a bulk batch."""
    quick = sizes is QUICK
    # Quick: one small paced run on the ORM broker (part 6 runs Redis), no pacing-off run.
    interval = 1.0 if quick else 10.0
    sizes_m = (4,) if quick else (10, 100, 1000)
    brokers = ("orm",) if quick else ("orm", "redis")
    if accounts:
        sizes_m = tuple(accounts)
    out(f"5. Scale: N = 3 x M due pins over M accounts, pacing {interval:g} s, stand-in latency 50 ms, one qcluster "
        "(4 workers, PUBLISH_RUNNERS=2, PUBLISH_CALLS_IN_FLIGHT=8); wall = start -> last pin published;")
    out("   limit = max(pacing bound, the same pins with pacing off); target wall <= 1.2 x limit")
    out(f"   {'broker':6} {'M':>5} {'N':>5} {'paced s':>8} {'bound s':>8} {'machine s':>9} {'ratio':>6} "
        f"{'once':>5} {'min gap ms':>10} {'peak db':>7} {'peak RSS MiB (sum/largest)':>26}")
    results = {}
    for broker in brokers:
        for m in sizes_m:
            paced = _publish_run(accounts_count=m, per_account=3, interval=interval, broker=broker, workdir=workdir)
            machine = paced if quick else _publish_run(accounts_count=m, per_account=3, interval=0, broker=broker,
                                                       workdir=workdir)
            _require_once(paced, f"scale {broker} M={m}")
            bound = 3 * interval
            limit = max(bound, machine["wall"])
            ratio = paced["wall"] / limit
            ok = ratio <= TARGET_SCALE_RATIO and paced["once"] and paced["published"] == paced["n"]
            results[(broker, m)] = {"paced": paced, "machine": machine, "ratio": ratio, "ok": ok}
            out(f"   {broker:6} {m:>5} {3 * m:>5} {paced['wall']:8.1f} {bound:8.1f} {machine['wall']:9.1f} "
                f"{ratio:6.2f} {'yes' if paced['once'] else 'NO':>5} {paced['min_gap'] * 1000:10.1f} "
                f"{max(paced['db'], machine['db']):>7} "
                f"{max(paced['rss_sum'], machine['rss_sum']) / 2**20:13.0f} / "
                f"{max(paced['rss_process'], machine['rss_process']) / 2**20:.0f}   {_verdict(ok)}")
    bulk_m, bulk_per = (4, 2) if quick else (50, 10)
    bulk = _publish_run(accounts_count=bulk_m, per_account=bulk_per, interval=interval, broker="orm",
                        workdir=workdir, bulk=True)
    _require_once(bulk, "bulk")
    bound = bulk_per * interval
    ratio = bulk["wall"] / bound
    out(f"   bulk: {bulk['n']} pins over {bulk_m} accounts (ORM broker): {bulk['wall']:.1f} s against a pacing bound "
        f"of {bound:.0f} s, ratio {ratio:.2f} ({bulk['published']}/{bulk['n']} published, once: "
        f"{'yes' if bulk['once'] else 'NO'}) {_verdict(ratio <= TARGET_SCALE_RATIO)}")
    results["bulk"] = {"ratio": ratio, **bulk}
    return results


def bench_clusters(sizes: Sizes, workdir: Path, out) -> dict:
    """Goal 2: two qcluster processes share the work; pacing holds across them."""
    from django_q.models import Task

    from publishing.models import PinStatus

    quick = sizes is QUICK
    m, per, interval = (8, 2, 1.0) if quick else (40, 5, 2.0)
    n = m * per
    out(f"6. Two clusters: {n} due pins over {m} accounts, pacing {interval:g} s, latency 50 ms, two qcluster "
        "processes (2 workers each, PUBLISH_RUNNERS=4, runner turns of 3 s)")
    results = {}
    for broker in ("redis",) if quick else ("orm", "redis"):  # quick: part 5 runs the ORM broker
        _reset_data()
        _clean_queues()
        log_path = workdir / f"clusters-{broker}.log"
        with StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
            accounts = _make_accounts(standin, m)
            _make_due_pins(accounts, n)
            env = _cluster_env(standin, interval=interval, broker=broker, Q_WORKERS=2, PUBLISH_RUNNERS=4,
                               PUBLISH_RUNNER_TURN_SECONDS=3)
            clusters = [_start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path) for _ in range(2)]
            try:
                for cluster in clusters:
                    _wait_cluster_up(cluster, log_path)
                sentinels = [_child_pids(cluster.pid) for cluster in clusters]
                started = time.time()
                _manage_shell(env, "from publishing.engine import runners_start; runners_start()")
                _until_published(n, clusters, log_path, timeout=max(120.0, 6 * per * interval))
                time.sleep(1.0)  # the last runner results are saved
                shares = [0, 0]
                for task in Task.objects.filter(func="publishing.tasks.publish_runner"):
                    result = task.result or {}
                    for index, pids in enumerate(sentinels):
                        if result.get("cluster_pid") in pids:
                            shares[index] += result.get("published", 0)
            finally:
                for cluster in clusters:
                    _stop(cluster)
            creations = standin.creations
        wall = _last_published() - started
        gap = _min_gap(creations)
        ok = all(shares) and gap >= interval - TARGET_GAP_SLACK and len(creations) == n
        counts = _status_counts()
        out(f"   {broker:5}: published {counts.get(PinStatus.PUBLISHED, 0)}/{n} in {wall:.1f} s (pacing bound "
            f"{per * interval:.0f} s); cluster 1 published {shares[0]}, cluster 2 {shares[1]}; smallest gap of one "
            f"account on the stand-in's clock {gap * 1000:.1f} ms (target >= "
            f"{(interval - TARGET_GAP_SLACK) * 1000:.0f}) {_verdict(ok)}")
        results[broker] = {"shares": shares, "gap": gap, "wall": wall, "ok": ok}
        published = counts.get(PinStatus.PUBLISHED, 0)
        if published != n or len(creations) != n:
            raise BenchError(f"{broker}: {published}/{n} published with {len(creations)} creates (each exactly once)")
    out("   (a cluster killed mid-run: tests/publishing/engine/test_clusters.py proves nothing is lost or doubled)")
    return results


def bench_ontime(sizes: Sizes, workdir: Path, out, minutes: float) -> dict:
    """Goal 4: pins scheduled over ``minutes`` across 50 accounts; lateness of each publish."""
    from datetime import timedelta

    from django.utils import timezone

    from publishing.models import Pin, PinStatus

    quick = sizes is QUICK
    count = int(100 * minutes)
    accounts_count = 10 if quick else 50
    out(f"7. On time: {count} pins scheduled evenly over {minutes:g} minutes across {accounts_count} accounts "
        f"(pacing {1 if quick else 10} s, latency 50 ms), one qcluster with its schedules "
        "(publish-on-time every minute)"
        + ("; quick: runners also started at once, not after the scheduler's first cycle" if quick else ""))
    _reset_data()
    _clean_queues()
    log_path = workdir / "ontime.log"
    with StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
        accounts = _make_accounts(standin, accounts_count)
        env = _cluster_env(standin, interval=1.0 if quick else 10.0, broker="orm")
        # Every pin has its time before the cluster starts (none is due while being written).
        first = timezone.now() + timedelta(seconds=20 if quick else 60)
        step = minutes * 60 / count
        _make_due_pins(accounts, count)
        for index, pin in enumerate(Pin.objects.order_by("scheduled_at").only("pk")):
            Pin.objects.filter(pk=pin.pk).update(scheduled_at=first + timedelta(seconds=index * step))
        _manage_shell(env, "from publishing.schedules import schedules_setup; schedules_setup()")
        cluster = _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)
        try:
            _wait_cluster_up(cluster, log_path)
            if quick:
                _manage_shell(env, "from publishing.engine import runners_start; runners_start()")
            _until_published(count, [cluster], log_path, timeout=minutes * 60 + 300)
        finally:
            _stop(cluster)
    late = sorted(
        (pin.published_at - pin.scheduled_at).total_seconds()
        for pin in Pin.objects.filter(status=PinStatus.PUBLISHED).only("published_at", "scheduled_at")
    )
    if len(late) != count:
        raise BenchError(f"{len(late)} of {count} pins were published")
    p50 = late[len(late) // 2]
    p99 = late[min(len(late) - 1, math.ceil(len(late) * 0.99) - 1)]
    out(f"   lateness (published_at - scheduled_at): p50 {p50:.1f} s, p99 {p99:.1f} s, max {late[-1]:.1f} s, "
        f"earliest {late[0]:.1f} s ({len(late)}/{count} published) {_verdict(p99 <= 60 and late[0] >= 0)}")
    if late[0] < 0:
        raise BenchError(f"a pin was published {-late[0]:.1f} s before its time")
    return {"p50": p50, "p99": p99, "max": late[-1]}


# --- 2. selection -------------------------------------------------------------------

# Every column not named here is copied from one template pin made through the ORM, so a new
# column (with its default) never breaks the fill.
FILL_COLUMNS = {
    "id": "gen_random_uuid()",
    "project_id": "refs.projects[s.k]",
    "article_id": "refs.articles[s.k]",
    "board_id": "refs.boards[s.k]",
    "image_url": "'https://images.example.com/bench/' || s.g || '.jpg'",
    "title": "'Bench pin ' || s.g",
    "status": "s.status",
    "scheduled_at": """CASE s.status
           WHEN 'draft' THEN NULL
           WHEN 'ready_to_schedule' THEN
               CASE WHEN s.g <= %(due)s THEN %(now)s - s.g * interval '1 second'
                    ELSE %(now)s + interval '1 hour' + s.g * interval '1 second' END
           ELSE %(now)s - interval '30 days' + s.g * interval '1 second' END""",
    "published_at": """CASE WHEN s.status = 'published'
            THEN %(now)s - interval '30 days' + s.g * interval '1 second' END""",
    "pinterest_pin_id": "CASE WHEN s.status = 'published' THEN (1130000000000000000 + s.g)::text ELSE '' END",
    "pinterest_pin_url": """CASE WHEN s.status = 'published'
            THEN 'https://www.pinterest.com/pin/' || (1130000000000000000 + s.g) || '/' ELSE '' END""",
    "error_message": "CASE WHEN s.status = 'error' THEN 'Bench failure' ELSE '' END",
    "created_at": "%(now)s - interval '40 days'",
    "updated_at": "%(now)s - interval '40 days'",
}

FILL_FROM = """
FROM publishing_pin AS t,
     (SELECT %(projects)s::bigint[] AS projects, %(articles)s::bigint[] AS articles,
             %(boards)s::bigint[] AS boards) AS refs,
     (SELECT g,
             CASE WHEN g <= %(due)s THEN 1 ELSE 1 + g %% %(accounts)s END AS k,
             CASE WHEN g <= %(due)s THEN 'ready_to_schedule'
                  WHEN g %% 20 < 11 THEN 'published'
                  WHEN g %% 20 < 15 THEN 'draft'
                  WHEN g %% 20 < 19 THEN 'ready_to_schedule'
                  ELSE 'error' END AS status
      FROM generate_series(1, %(total)s) AS g) AS s
WHERE t.id = %(template)s
"""


def _fill_sql() -> str:
    """INSERT ... SELECT over every column of ``publishing_pin``: FILL_COLUMNS, or the template's value."""
    from publishing.models import Pin

    columns = [field.column for field in Pin._meta.concrete_fields]
    unknown = set(FILL_COLUMNS) - set(columns)
    if unknown:
        raise BenchError(f"the fill names columns publishing_pin no longer has: {sorted(unknown)}")
    values = ",\n       ".join(FILL_COLUMNS.get(column, f't."{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    return f"INSERT INTO publishing_pin ({names})\nSELECT {values}{FILL_FROM}"


def _fill(total: int, due: int, accounts: list[Account], now) -> float:
    from django.db import connection

    from publishing.models import Pin, PinStatus

    started = time.perf_counter()
    first = accounts[0]
    template = Pin.objects.create(
        project=first.project, article=first.article, board=first.board, status=PinStatus.DRAFT,
        image_url="https://images.example.com/bench/template.jpg", title="Bench template",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _fill_sql(),
            {
                "projects": [a.project.pk for a in accounts],
                "articles": [a.article.pk for a in accounts],
                "boards": [a.board.pk for a in accounts],
                "accounts": len(accounts),
                "due": due,
                "total": total,
                "now": now,
                "template": template.pk,
            },
        )
        template.delete()
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _capture_claim_query(connection_id: int, now, limit: int) -> tuple[str, tuple]:
    """The SQL and parameters of the sweep's own claim SELECT (``sweep._claim_due``), rolled back."""
    from django.db import connection, transaction

    from publishing.engine.lease import claim_due as _claim_due

    captured = []

    def spy(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and "SKIP LOCKED" in sql and not captured:
            captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(spy):
        claimed = _claim_due(connection_id=connection_id, now=now, limit=limit)
        transaction.set_rollback(True)
    if not captured:
        raise BenchError("sweep._claim_due ran no SELECT ... FOR UPDATE SKIP LOCKED")
    if len(claimed) != limit:
        raise BenchError(f"sweep._claim_due claimed {len(claimed)} pins, expected {limit}")
    return captured[0]


class _Captured(Exception):
    pass


def _capture_connection_list_query(now) -> tuple[str, tuple]:
    """The dispatcher's own "which accounts have work and a free slot" query (``Dispatcher._look``:
    the accounts in ``pins_due``), captured from ``pins_publish_due``.

    The sweep is stopped right after that query (and before anything that writes), with the
    Pinterest base pointed at a closed port for good measure.
    """
    from django.db import connection
    from django.test.utils import override_settings

    from publishing.engine import pins_publish_due

    captured = []

    def spy(execute, sql, params, many, context):
        head = sql.lstrip().split(" ", 1)[0].upper()
        if head in ("UPDATE", "INSERT", "DELETE") or "FOR UPDATE" in sql:
            raise _Captured  # past the connection list: stop before the sweep changes anything
        result = execute(sql, params, many, context)
        if sql.lstrip().startswith("SELECT") and 'FROM "pinterest_pinterestconnection"' in sql and (
                "EXISTS" in sql or " IN (SELECT" in sql):
            captured.append((sql, tuple(params or ())))
            raise _Captured
        return result

    with override_settings(PINTEREST_API_BASE="http://127.0.0.1:9/v5", PUBLISH_CALLS_IN_FLIGHT=1):
        try:
            with connection.execute_wrapper(spy):
                pins_publish_due(now=now)
        except _Captured:
            pass
    if not captured:
        raise BenchError("pins_publish_due ran no SELECT of the accounts with due pins (pins_due)")
    return captured[0]


def _time_query(sql: str, params: tuple, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection

    times, rows = [], []
    for _ in range(runs):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - started)
    return times, len(rows), len({row[0] for row in rows})


def _time_claim(sql: str, params: tuple, runs: int) -> tuple[list[float], int]:
    from django.db import connection, transaction

    times, rows = [], 0
    for _ in range(runs):
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql, params)
                rows = len(cursor.fetchall())
                times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return times, rows


def _explain(sql: str, params: tuple) -> list[str]:
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return lines


def bench_selection(sizes: Sizes, out) -> dict:
    from django.db import connection
    from django.utils import timezone

    due = sizes.selection_due
    out(f"2. Selection cost: the sweep's claim of {due} due pins (SELECT ... FOR UPDATE SKIP LOCKED LIMIT {due} "
        f"on pins_due, from sweep._claim_due)")
    out("   pins: 55 % published, 20 % draft, 20 % ready but scheduled in the future, 5 % error; "
        f"{due} ready and due, on one of 10 connections")
    results = {}
    explain = []
    for total in sizes.selection_totals:
        _reset_data()
        accounts = _make_accounts(None, 10)
        now = timezone.now()
        fill_seconds = _fill(total, due, accounts, now)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('publishing_pin'))")
            size = cursor.fetchone()[0]
        claim_now = timezone.now()
        sql, params = _capture_claim_query(accounts[0].connection.pk, claim_now, due)
        cold, _ = _time_claim(sql, params, 1)
        times, rows = _time_claim(sql, params, sizes.selection_runs)
        median = statistics.median(times) * 1000
        results[total] = median
        out(f"   {total:>9,} pins (filled in {fill_seconds:.1f} s, table {size}): claim of {rows}: median "
            f"{median:.1f} ms over {len(times)} runs (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, "
            f"first run {cold[0] * 1000:.1f})")
        list_sql, list_params = _capture_connection_list_query(claim_now)
        list_times, list_rows, distinct = _time_query(list_sql, list_params, sizes.selection_runs)
        out(f"   {'':>9} the dispatcher's accounts-with-work query (Dispatcher._look: pins_due, a free slot): median "
            f"{statistics.median(list_times) * 1000:.1f} ms, {list_rows} rows for {distinct} connection(s)")
        if distinct != 1:
            raise BenchError(f"the accounts-with-work query found {distinct} accounts, expected the 1 with due pins")
        explain = _explain(sql, params)
        list_explain = _explain(list_sql, list_params)
    small, large = (results[total] for total in sizes.selection_totals[:2])
    growth = large / small
    uses_index = any("pin_ready_scheduled_idx" in line for line in explain)
    out(f"   growth {sizes.selection_totals[1]:,} vs {sizes.selection_totals[0]:,}: {growth:.2f}x "
        f"(target < {TARGET_SELECTION_GROWTH}: {_verdict(growth < TARGET_SELECTION_GROWTH)}); "
        f"both under {TARGET_SELECTION_MS:.0f} ms: {_verdict(max(small, large) < TARGET_SELECTION_MS)}; "
        f"uses pin_ready_scheduled_idx: {_verdict(uses_index)}")
    out(f"   EXPLAIN (ANALYZE, BUFFERS) of the claim at {sizes.selection_totals[-1]:,} pins:")
    for line in explain:
        out(f"     {line}")
    out(f"   EXPLAIN (ANALYZE, BUFFERS) of the accounts-with-work query at {sizes.selection_totals[-1]:,} pins:")
    for line in list_explain:
        out(f"     {line}")
    return {"small_ms": small, "large_ms": large, "growth": growth, "uses_index": uses_index}


# --- 3. queries per pin -------------------------------------------------------------

_SHAPES = (
    (re.compile(r'^SELECT .*? FROM "(\w+)"', re.S), "SELECT {}"),
    (re.compile(r'^UPDATE "(\w+)"'), "UPDATE {}"),
    (re.compile(r'^INSERT INTO "(\w+)"'), "INSERT {}"),
    (re.compile(r'^DELETE FROM "(\w+)"'), "DELETE {}"),
)


def _shape(sql: str) -> str:
    for pattern, label in _SHAPES:
        match = pattern.match(sql)
        if match:
            shape = label.format(match.group(1))
            if "FOR UPDATE" in sql:
                shape += " FOR UPDATE"
            return shape
    return sql.split(" ", 1)[0]


class _EveryThreadsQueries:
    """Every statement on every thread's database connection while active, BEGIN and COMMIT too.

    The dispatcher's threads each open their own connection (``connection_created``): each is
    put in Django's query-logging mode, and its log is read at the end. SAVEPOINT/RELEASE are
    left out (no round trip of their own worth counting)."""

    def __init__(self):
        self.wrappers: dict[int, tuple[str, object]] = {}

    def _watch(self, wrapper, label: str) -> None:
        if id(wrapper) not in self.wrappers:
            wrapper.queries_log.clear()
            self.wrappers[id(wrapper)] = (label, wrapper)
        wrapper.force_debug_cursor = True

    def _created(self, sender, connection, **kwargs) -> None:
        import threading

        self._watch(connection, threading.current_thread().name)

    def __enter__(self):
        import threading

        from django.db import connection
        from django.db.backends.signals import connection_created

        connection.ensure_connection()
        self._watch(connection, f"{threading.current_thread().name} (the dispatcher)")
        connection_created.connect(self._created, weak=False)
        return self

    def __exit__(self, *exc_info):
        from django.db.backends.signals import connection_created

        connection_created.disconnect(self._created)
        for _, wrapper in self.wrappers.values():
            wrapper.force_debug_cursor = False

    def by_thread(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for label, wrapper in self.wrappers.values():
            if len(wrapper.queries_log) == wrapper.queries_log.maxlen:
                raise BenchError(f"the query log of {label} is full ({wrapper.queries_log.maxlen}); use fewer pins")
            found.setdefault(label, []).extend(
                query["sql"] for query in wrapper.queries_log
                if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
            )
        return found


def _count_sweep_queries(standin, pins: int, interval: float) -> tuple[dict[str, list[str]], dict]:
    from django.test.utils import override_settings

    from publishing.engine import pins_publish_due

    _reset_data()
    standin.reset()
    accounts = _make_accounts(standin, 1)
    _make_due_pins(accounts, pins)
    with override_settings(
        PINTEREST_API_BASE=standin.api_base, PINTEREST_PUBLISH_INTERVAL_SECONDS=interval,
        PUBLISH_CALLS_IN_FLIGHT=1,
    ):
        with _EveryThreadsQueries() as captured:
            report = pins_publish_due()
    if report["published"] != pins:
        raise BenchError(f"the in-process sweep published {report['published']} of {pins} pins: {report}")
    return captured.by_thread(), report


#: A published pin costs at least its claim, its attempt row and its outcome; fewer counted means
#: the count missed the threads that publish.
MIN_QUERIES_PER_PIN = 4


def bench_queries(sizes: Sizes, out) -> dict:
    from pinterest.standin.server import run_standin

    n = sizes.query_pins
    out(f"3. Queries per published pin: in-process sweep of {n} due pins on one connection "
        "(stand-in latency 0; every thread's connection counted; SAVEPOINT/RELEASE excluded)")
    with run_standin(latency_ms=0) as standin:
        unpaced_threads, _ = _count_sweep_queries(standin, n, 0)
        paced_threads, _ = _count_sweep_queries(standin, n, 0.001)
    unpaced = [sql for sqls in unpaced_threads.values() for sql in sqls]
    paced = [sql for sqls in paced_threads.values() for sql in sqls]
    statements = [sql for sql in unpaced if sql not in ("BEGIN", "COMMIT")]
    out(f"   interval 0:            {len(unpaced)} queries -> {len(unpaced) / n:.2f} per pin "
        f"({len(statements) / n:.2f} without BEGIN/COMMIT), on {len(unpaced_threads)} connections: "
        + ", ".join(f"{label} {len(sqls)}" for label, sqls in unpaced_threads.items()))
    out(f"   paced (interval > 0):  {len(paced)} queries -> {len(paced) / n:.2f} per pin "
        "(+ the pacing slot's departure)")
    out("   per pin, by statement (interval 0):")
    for shape, count in Counter(_shape(sql) for sql in unpaced).most_common():
        out(f"     {count / n:6.2f}  {shape}  ({count})")
    if len(unpaced) / n < MIN_QUERIES_PER_PIN:
        raise BenchError(f"{len(unpaced) / n:.2f} queries per pin is fewer than a publish needs "
                         f"({MIN_QUERIES_PER_PIN}): the count missed a thread")
    return {"per_pin": len(unpaced) / n, "per_pin_paced": len(paced) / n}


# --- 4. memory ----------------------------------------------------------------------


#: Runs a script as ``__main__`` and writes the process's own peak resident set (``VmHWM``, KiB)
#: to the file named by its first argument as it ends, whatever way it ends.
_OWN_PEAK = """
import runpy, sys
peak_file, script = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(script)))
try:
    runpy.run_path(script, run_name="__main__")
finally:
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
"""


def run_measuring_own_peak(script: str, *args: str, env: dict, log_path: Path) -> tuple[int, int]:
    """Run ``python script args`` and return (exit code, its own peak RSS in KiB).

    Not ``ru_maxrss`` from ``wait4``: Linux keeps the high-water mark of the memory a child
    had before ``exec``, i.e. a copy of its parent's, so the child's ``ru_maxrss`` is at least
    the parent's resident set when it forked. The child reads its own ``VmHWM`` instead."""
    peak_file = log_path.with_suffix(".peak")
    peak_file.unlink(missing_ok=True)
    process = _start([PYTHON, "-c", _OWN_PEAK, str(peak_file), script, *args], env=env, log_path=log_path)
    try:
        code = process.wait()
    finally:
        if process in _children:
            _children.remove(process)
    try:
        return code, int(peak_file.read_text())
    except (OSError, ValueError):
        raise BenchError(f"{script} exited with {code} and left no peak:\n{_tail(log_path)}") from None


def _publish_due_peak(standin, accounts_count: int, pins: int, workdir: Path) -> tuple[int, float]:
    """``manage.py publish_due`` over ``pins`` due pins: (its own peak RSS in KiB, seconds)."""
    _reset_data()
    standin.reset()
    if pins:
        _make_due_pins(_make_accounts(standin, accounts_count), pins)
    log_path = workdir / f"publish_due_{pins}.log"
    env = _env(
        PINTEREST_API_BASE=standin.api_base,
        PINTEREST_PUBLISH_INTERVAL_SECONDS=0,
        PUBLISH_CALLS_IN_FLIGHT=accounts_count,
        # The run's budget guards a task's timeout; here the whole backlog is the measurement.
        PUBLISH_SWEEP_BUDGET_SECONDS=3600,
    )
    started = time.perf_counter()
    code, peak = run_measuring_own_peak(MANAGE, "publish_due", env=env, log_path=log_path)
    seconds = time.perf_counter() - started
    if code != 0:
        raise BenchError(f"publish_due exited with {code}:\n{_tail(log_path)}")
    counts = _status_counts()
    if counts.get("published", 0) != pins:
        raise BenchError(f"publish_due published {counts} of {pins} pins:\n{_tail(log_path)}")
    return peak, seconds


def bench_memory(sizes: Sizes, workdir: Path, out) -> dict:
    from pinterest.standin.server import run_standin

    m = sizes.connections
    out(f"4. Peak memory of `manage.py publish_due` (subprocess; interval 0, stand-in latency 0, {m} connections;")
    out("   the child's own VmHWM, not its ru_maxrss, which starts from this process's size at the fork)")
    peaks = {}
    with run_standin(latency_ms=0) as standin:
        for pins in sizes.memory_pins if sizes is QUICK else (0, *sizes.memory_pins):
            peak, seconds = _publish_due_peak(standin, m, pins, workdir)
            peaks[pins] = peak
            if pins == 0:
                out(f"   {0:>7,} due pins: peak RSS {peak / 1024:6.1f} MiB (the process with nothing to do)")
                continue
            out(f"   {pins:>7,} due pins: peak RSS {peak / 1024:6.1f} MiB, all published in {seconds:.1f} s "
                f"({pins / seconds:.0f} pins/s)")
    small_pins, large_pins = sizes.memory_pins[:2]
    small, large = peaks[small_pins], peaks[large_pins]
    growth = (large - small) / small
    per_pin = (large - small) * 1024 / (large_pins - small_pins)
    bound = sizes.memory_bytes_per_pin
    out(f"   {large_pins:,} vs {small_pins:,}: {(large - small) / 1024:+.1f} MiB "
        f"({growth * 100:+.1f} %), {per_pin:.0f} bytes per extra pin "
        f"(target < {bound} bytes per pin, i.e. nothing kept per pin: {_verdict(per_pin < bound)})")
    if per_pin >= bound:
        raise BenchError(f"publish_due keeps {per_pin:.0f} bytes per due pin (bound {bound})")
    return {"small_kib": small, "large_kib": large, "growth": growth, "per_pin": per_pin}


# --- main ---------------------------------------------------------------------------


def bench_tenk(sizes: Sizes, workdir: Path, out, accounts: int | None, metrics_out: str | None) -> dict:
    """Part 8, in ``bench/_tenk.py`` (this module is handed over, so its children list stays the one)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _tenk

    return _tenk.bench_tenk(sys.modules[__name__], sizes, workdir, out, accounts, metrics_out)


def _ordinal(index: int) -> str:
    return {0: "first", 1: "second", 2: "third"}.get(index, f"{index + 1}th")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _arguments(argv):
    parser = argparse.ArgumentParser(description="The sweep benchmark (see bench/README.md, section Sweep).")
    parser.add_argument("--quick", action="store_true", help="Small sizes for every part (a smoke check).")
    parser.add_argument("--only", action="append", choices=PARTS, help="Run only this part (repeatable).")
    parser.add_argument("--scale-accounts", type=int, action="append",
                        help="Part 5: run only these account counts (repeatable; default 10, 100, 1000).")
    parser.add_argument("--ontime-minutes", type=float,
                        help="Part 7: schedule 100 pins a minute over this many minutes (default 10; quick 0.2).")
    parser.add_argument("--tenk-accounts", type=int,
                        help="Part 8: this many accounts, one due pin each (default 10000; quick 200).")
    parser.add_argument("--metrics-out", help="Part 8: write /metrics after the run to this file.")
    parser.add_argument("--database-prefix", default="bench_sweep",
                        help="The bench database is <prefix>_<pid> (default %(default)s).")
    parser.add_argument("--keep-logs", action="store_true", help="Keep the subprocess logs (kept anyway on failure).")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL server, without a database name (default %(default)s; or $BENCH_POSTGRES_URL).",
    )
    return parser.parse_args(argv)


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    args = _arguments(argv)
    sizes = QUICK if args.quick else FULL
    parts = args.only or list(PARTS)
    base = args.postgres.rstrip("/")
    try:
        admin = _admin_connect(base)
    except Exception as exc:  # any failure to connect is the same one-line refusal
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"sweep_bench: PostgreSQL is not reachable at {base} ({reason}); start it or pass --postgres URL.",
              file=sys.stderr)
        return 2
    name = f"{args.database_prefix}_{os.getpid()}"
    with admin:
        version = admin.execute("SHOW server_version").fetchone()[0]
        admin.execute(f'CREATE DATABASE "{name}"')
    signal.signal(signal.SIGTERM, _on_sigterm)
    failures = []
    summary = {}
    workdir = Path(tempfile.mkdtemp(prefix="sweep_bench_"))

    def out(line=""):
        print(line, flush=True)

    try:
        _configure_environment(base, name, workdir)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        out(f"pinpublisher sweep benchmark ({'quick' if args.quick else 'full'} sizes), "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        out(f"PostgreSQL {version} at {base}, database {name}; {os.cpu_count()} CPUs (load average {load}); "
            f"Python {sys.version.split()[0]}")
        out()
        runners = {
            "throughput": lambda: bench_throughput(sizes, workdir, out),
            "selection": lambda: bench_selection(sizes, out),
            "queries": lambda: bench_queries(sizes, out),
            "memory": lambda: bench_memory(sizes, workdir, out),
            "scale": lambda: bench_scale(sizes, workdir, out, args.scale_accounts),
            "clusters": lambda: bench_clusters(sizes, workdir, out),
            "ontime": lambda: bench_ontime(sizes, workdir, out, args.ontime_minutes or (0.2 if args.quick else 10.0)),
            "tenk": lambda: bench_tenk(sizes, workdir, out, args.tenk_accounts, args.metrics_out),
        }
        for part in PARTS:
            if part not in parts:
                continue
            started = time.perf_counter()
            try:
                summary[part] = runners[part]()
            except BenchError as exc:
                failures.append(part)
                out(f"   FAILED: {exc}")
            except Exception:  # a crash (the code moved under the bench) fails this part, not the rest
                failures.append(part)
                out("   CRASHED:\n" + traceback.format_exc())
            out(f"   ({part}: {time.perf_counter() - started:.0f} s)")
            out()
    finally:
        _stop_all_children()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        try:
            with _admin_connect(base) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # report, never hide the original error
            print(f"sweep_bench: could not drop database {name}: {exc}", file=sys.stderr)
    if failures:
        out(f"failed parts: {', '.join(failures)} (logs in {workdir})")
        return 1
    if args.keep_logs:
        out(f"database {name} dropped; logs in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        out(f"database {name} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
