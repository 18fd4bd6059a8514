#!/usr/bin/env python
"""The cost benchmark: what one published pin costs, per process, on the scheduled path (not a test).

    .venv/bin/python bench/cost_bench.py [--quick] [--accounts M ...] [--broker orm|redis ...]

For each shape (default: 300 due pins over 100 accounts, then 3,000 over 1,000; ``--quick``: 12
over 4), a fresh set of due pins is published by one real ``qcluster`` (4 workers,
``PUBLISH_RUNNERS=2``, ``PUBLISH_CALLS_IN_FLIGHT=8``, pacing 10 s, stand-in latency 50 ms: the
settings of ``sweep_bench.py --only scale``) and the bench prints, from ``runners_start()`` to
the last pin published:

- CPU seconds per published pin of each process apart, from ``/proc/<pid>/stat`` (utime + stime,
  sampled every 0.1 s): the cluster's processes (its process group; a child's CPU is in its
  parent's cutime + cstime once reaped), PostgreSQL's backends of the bench database (their
  pids from ``pg_stat_activity``, each counted from 0 when first seen: connecting is part of
  the cost; what a backend spends after its last sample before it exits is missed, and so is a
  backend that lives less than a sample: ``pg_stat_database``'s sessions opened and active time
  of the bench database, which count those too, are printed beside), the stand-in;
- the queries per pin over every process and thread of the cluster: the cluster runs with a
  bench-only settings module (written to the work directory, importing the project's settings)
  whose ``connection_created`` receiver puts a ``connection.execute_wrapper`` on every
  connection of every process and thread, and counts its commits and rollbacks; each query is
  a line appended to a file per process. Round trips = statements + BEGIN + COMMIT/ROLLBACK.

It exits 1 when a pin is not published exactly once (the stand-in's records) or the count is
below what a publish needs (the counter missed a process). See bench/README.md, "Cost per pin".
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sweep_bench as sb  # noqa: E402  (the sweep benchmark's processes, data and cluster helpers)

TICK = os.sysconf("SC_CLK_TCK")
#: A published pin costs at least its claim, its attempt row and its outcome.
MIN_QUERIES_PER_PIN = 4

_COUNTING_SETTINGS = '''
"""Bench-only settings (written by bench/cost_bench.py): the project's, plus a query counter."""
import os as _os

from django.db.backends.signals import connection_created as _connection_created

from pinpublisher.settings import *  # noqa: F401,F403

_DIR = _os.environ["BENCH_COST_QUERIES_DIR"]
_FILE = {}


def _log(line):
    pid = _os.getpid()
    fd = _FILE.get(pid)
    if fd is None:
        fd = _FILE[pid] = _os.open(f"{_DIR}/{pid}", _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT, 0o644)
    _os.write(fd, (line.replace("\\n", " ")[:4000] + "\\n").encode())


def _count(execute, sql, params, many, context):
    _log(sql)
    return execute(sql, params, many, context)


def _counted(original, name):
    def call(*args, **kwargs):
        _log(name)
        return original(*args, **kwargs)
    return call


def _on_connect(sender, connection, **kwargs):
    if getattr(connection, "_bench_counted", False):
        return
    connection._bench_counted = True
    connection.execute_wrappers.append(_count)
    connection.commit = _counted(connection.commit, "COMMIT")
    connection.rollback = _counted(connection.rollback, "ROLLBACK")


_connection_created.connect(_on_connect, weak=False)
'''


def _cpu_ticks(pid: int, *, children: bool) -> tuple[int, int] | None:
    """(utime + stime [+ cutime + cstime], process group) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks, int(fields[2])


def _group_pids(pgid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _cpu_ticks(int(entry), children=False)
            if stat is not None and stat[1] == pgid:
                found.append(int(entry))
    return found


class CpuSampler:
    """Samples the CPU of the cluster's group, the stand-in and the bench database's backends."""

    def __init__(self, *, cluster_pgid: int, standin_pgid: int, database: str, admin_url: str, own_backend: int):
        self.groups = {"cluster": cluster_pgid, "standin": standin_pgid}
        self.database, self.admin_url, self.own_backend = database, admin_url, own_backend
        #: (kind, pid) -> [first ticks, last ticks]
        self.seen: dict[tuple[str, int], list[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _backends(self, admin) -> list[int]:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                             (self.database, self.own_backend)).fetchall()
        return [row[0] for row in rows]

    def sample(self, admin, *, first: bool = False) -> None:
        pids = [(kind, pid) for kind, pgid in self.groups.items() for pid in _group_pids(pgid)]
        pids += [("postgres", pid) for pid in self._backends(admin)]
        for kind, pid in pids:
            stat = _cpu_ticks(pid, children=kind != "postgres")
            if stat is None:
                continue
            entry = self.seen.get((kind, pid))
            if entry is None:
                # Present at the start: counted from here. New since: its whole life counts.
                self.seen[(kind, pid)] = [stat[0] if first else 0, stat[0]]
            else:
                entry[1] = stat[0]

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            self.sample(admin, first=True)
            before = self._database_totals(admin)
            self._started.set()
            while not self._stop.wait(0.1):
                self.sample(admin)
            self.sample(admin)
            time.sleep(1.1)  # backends flush their counts at most once a second
            admin.execute("SELECT pg_stat_clear_snapshot()")
            after = self._database_totals(admin)
            self.database_totals = {key: after[key] - before[key] for key in after}

    def _database_totals(self, admin) -> dict[str, float]:
        """The bench database's sessions opened and time its backends were active (also those gone)."""
        row = admin.execute("SELECT sessions, active_time FROM pg_stat_database WHERE datname = %s",
                            (self.database,)).fetchone()
        return {"sessions": float(row[0]), "active_ms": float(row[1])}

    def __enter__(self):
        self._started = threading.Event()
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def seconds(self) -> dict[str, float]:
        by_kind: Counter = Counter()
        for (kind, _), (first, last) in self.seen.items():
            by_kind[kind] += (last - first) / TICK
        by_kind["backends seen"] = sum(1 for kind, _ in self.seen if kind == "postgres")
        return {**by_kind, **self.database_totals}


def _line_counts(directory: Path) -> dict[str, int]:
    # Never truncated or removed: the processes keep their files open.
    return {path.name: len(path.read_text(errors="replace").splitlines()) for path in directory.iterdir()}


def _read_queries(directory: Path, *, skip: dict[str, int]) -> list[str]:
    lines: list[str] = []
    for path in directory.iterdir():
        lines += path.read_text(errors="replace").splitlines()[skip.get(path.name, 0):]
    return lines


def _cost_run(*, accounts_count: int, per_account: int, interval: float, broker: str, workdir: Path,
              base: str, database: str, conn_max_age: int | None = None) -> dict:
    from django.db import connection

    from publishing.models import Pin, PinStatus

    sb._reset_data()
    sb._clean_queues()
    n = accounts_count * per_account
    queries_dir = workdir / f"queries-{broker}-{accounts_count}"
    queries_dir.mkdir()
    log_path = workdir / f"qcluster-{broker}-{accounts_count}.log"
    with sb.StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
        accounts = sb._make_accounts(standin, accounts_count)
        sb._make_due_pins(accounts, n)
        env = sb._cluster_env(standin, interval=interval, broker=broker)
        if conn_max_age is not None:
            env["DATABASE_CONN_MAX_AGE"] = str(conn_max_age)
        start_env = dict(env)
        env.update({"DJANGO_SETTINGS_MODULE": "bench_cost_settings", "BENCH_COST_QUERIES_DIR": str(queries_dir),
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), env.get("PYTHONPATH")]))})
        cluster = sb._start([sb.PYTHON, sb.MANAGE, "qcluster"], env=env, log_path=log_path)
        try:
            sb._wait_cluster_up(cluster, log_path)
            before = _line_counts(queries_dir)  # the start's own queries are not the pins'
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                own = cursor.fetchone()[0]
            sampler = CpuSampler(cluster_pgid=cluster.pid, standin_pgid=standin.process.pid, database=database,
                                 admin_url=f"{base}/postgres", own_backend=own)
            with sampler:
                started = time.time()
                sb._manage_shell(start_env, "from publishing.engine import runners_start; runners_start()")
                bound = 3 * interval
                sb._until_published(n, [cluster], log_path, timeout=max(120.0, 6 * bound + n * 0.2))
        finally:
            sb._stop(cluster)
        published = Pin.objects.filter(status=PinStatus.PUBLISHED).count()
        creations = standin.creations
    once = len(creations) == published == len({c.body_hash for c in creations})
    queries = _read_queries(queries_dir, skip=before)
    return {"n": n, "published": published, "once": once, "wall": sb._last_published() - started,
            "cpu": sampler.seconds(), "queries": queries}


#: What each statement of the scheduled path is for, by its shape (the first match wins).
_PURPOSES = (
    ("WITH picked", "claim (pick SKIP LOCKED, compare-and-set, read with relations)"),
    ("WITH deferred", "create's audit row + the slot moved to its start"),
    ("WITH ended", "decision + audit row's end + batch items told"),
    ("UPDATE pinterest_pinterestconnection", "pacing slot (compare-and-set; a lost race too)"),
    ("SELECT webhooks_", "webhooks: endpoints wanting the event"),
    ("SELECT pinterest_pinterestconnection", "look: accounts with work and a free slot"),
    ("SELECT publishing_publishbatchitem", "look (batch pins waiting) / batch items"),
    ("publishing_pin", "pins (portable claim, decision, lookahead)"),
    ("publishing_publishattempt", "audit rows (portable)"),
    ("publishing_publishrunner", "runners: places and heartbeats"),
    ("django_q", "broker: polling and tasks"),
    ("COMMIT", "transactions (BEGIN and COMMIT)"),
)


def _shape(sql: str) -> str:
    """``sweep_bench``'s shape, and for a combined statement (``WITH name AS (...)``) its first name."""
    if sql.startswith("WITH "):
        return " ".join(sql.split(" ", 2)[:2])
    return sb._shape(sql)


def _purpose(shape: str) -> str:
    return next((purpose for opening, purpose in _PURPOSES if opening in shape), "other")


def _report(run: dict, out) -> None:
    n = run["published"] or 1
    cpu = run["cpu"]
    worker, postgres, standin = cpu.get("cluster", 0.0), cpu.get("postgres", 0.0), cpu.get("standin", 0.0)
    out(f"   CPU ms per pin: cluster {worker / n * 1000:.2f}, PostgreSQL {postgres / n * 1000:.2f} "
        f"({cpu.get('backends seen', 0):.0f} backends), stand-in {standin / n * 1000:.2f}; "
        f"cluster + PostgreSQL {(worker + postgres) / n * 1000:.2f}")
    out(f"   PostgreSQL (pg_stat_database, backends gone included): {cpu.get('sessions', 0) / n:.3f} sessions "
        f"opened per pin, {cpu.get('active_ms', 0) / n:.2f} ms active per pin")
    statements = [q for q in run["queries"] if q not in ("COMMIT", "ROLLBACK")]
    ends = len(run["queries"]) - len(statements)
    out(f"   queries per pin: {len(statements) / n:.2f} statements + {ends / n:.2f} transactions "
        f"(BEGIN and COMMIT each) = {(len(statements) + 2 * ends) / n:.2f} round trips")
    shapes = Counter(_shape(q) for q in run["queries"])
    for shape, count in shapes.most_common(16):
        out(f"     {count / n:6.2f}  {shape}")
    out("   by purpose (per pin):")
    purposes: Counter = Counter()
    for shape, count in shapes.items():
        purposes[_purpose(shape)] += count
    for purpose, count in purposes.most_common():
        out(f"     {count / n:6.2f}  {purpose}")


def _arguments(argv):
    parser = argparse.ArgumentParser(description="The cost benchmark (see bench/README.md, Cost per pin).")
    parser.add_argument("--quick", action="store_true", help="12 pins over 4 accounts, pacing 1 s (a smoke check).")
    parser.add_argument("--accounts", type=int, action="append", help="Accounts (3 due pins each; repeatable).")
    parser.add_argument("--broker", action="append", choices=("orm", "redis"), help="Broker (repeatable; orm).")
    parser.add_argument("--conn-max-age", type=int,
                        help="DATABASE_CONN_MAX_AGE for the cluster (default: the project's, 0: a connection per use).")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", sb.DEFAULT_POSTGRES))
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    base = args.postgres.rstrip("/")
    try:
        admin = sb._admin_connect(base)
    except Exception as exc:
        print(f"cost_bench: PostgreSQL is not reachable at {base} ({exc}).", file=sys.stderr)
        return 2
    name = f"bench_cost_{os.getpid()}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    signal.signal(signal.SIGTERM, sb._on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="cost_bench_"))
    (workdir / "bench_cost_settings.py").write_text(_COUNTING_SETTINGS)
    failed = False

    def out(line=""):
        print(line, flush=True)

    try:
        sb._configure_environment(base, name, workdir)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        interval = 1.0 if args.quick else 10.0
        shapes = args.accounts or ([4] if args.quick else [100, 1000])
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        out(f"pinpublisher cost benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
            f"(load average {load}); pacing {interval:g} s, stand-in latency 50 ms, one qcluster "
            "(4 workers, PUBLISH_RUNNERS=2, PUBLISH_CALLS_IN_FLIGHT=8)")
        for broker in args.broker or ["orm"]:
            for m in shapes:
                age = "" if args.conn_max_age is None else f", DATABASE_CONN_MAX_AGE={args.conn_max_age}"
                out(f"\n{broker}: {3 * m} due pins over {m} accounts{age}")
                try:
                    run = _cost_run(accounts_count=m, per_account=3, interval=interval, broker=broker,
                                    workdir=workdir, base=base, database=name, conn_max_age=args.conn_max_age)
                except Exception:
                    failed = True
                    out("   CRASHED:\n" + traceback.format_exc())
                    continue
                out(f"   {run['published']}/{run['n']} published, each exactly once: "
                    f"{'yes' if run['once'] else 'NO'}; wall {run['wall']:.1f} s (pacing bound {3 * interval:.0f} s, "
                    f"ratio {run['wall'] / (3 * interval):.2f})")
                _report(run, out)
                statements = [q for q in run["queries"] if q not in ("COMMIT", "ROLLBACK")]
                if run["published"] != run["n"] or not run["once"]:
                    failed = True
                    out("   FAILED: not every pin published exactly once")
                if len(statements) < MIN_QUERIES_PER_PIN * run["n"]:
                    failed = True
                    out("   FAILED: fewer queries counted than a publish needs: the counter missed a process")
    finally:
        sb._stop_all_children()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        try:
            with sb._admin_connect(base) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:
            print(f"cost_bench: could not drop database {name}: {exc}", file=sys.stderr)
    if failed or args.keep_logs:
        out(f"logs in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
