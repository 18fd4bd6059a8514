"""Part 8 of ``bench/sweep_bench.py`` (``--only tenk``): many accounts, one due pin each, two clusters.

Issue 30: "A 10,000-account run (one due pin each, two clusters on the Redis broker): every pin
exactly once, wall time within 1.2x the machine limit, memory flat, database connections bounded
as documented." A helper module (``_*.py``: ``bench/quick.sh`` does not run it on its own) so the
sweep benchmark stays readable; it reuses that script's processes, stand-in and samplers, passed in
as ``sb`` (the running ``sweep_bench`` module, never a second import of it).

The run: M accounts with one due pin each, published by two ``qcluster`` processes on Redis
(``Q_WORKERS`` 2 each, ``PUBLISH_RUNNERS`` 2 for both, ``PUBLISH_CALLS_IN_FLIGHT`` 8, pacing 10 s,
stand-in latency 50 ms), the runners started once both clusters are up.

*Machine limit*: one pin per account makes pacing moot (no account waits for its own interval), so
"the same pins with pacing off" (part 5's limit) would be the same run. The limit is instead the
same N pins, the same two clusters and broker, with pacing off, over M / 10 accounts (10 pins
each): what this machine takes to publish N pins when accounts are few (the size part 5 already
holds). The target, wall <= 1.2 x limit, says that spreading the pins over ten times the accounts
costs no more than a fifth more time.

*Memory*: RSS of every process of each cluster sampled every 0.5 s; start (when the runners
start), peak and end; flat when no process ends more than 10 % (and 8 MiB) above what it held once
a tenth of the pins were published (a worker's first publish imports and warms its caches).

*Connections*: peak ``pg_stat_activity`` of the bench database (less the bench's own) against
``PUBLISH_RUNNERS x (PUBLISH_CALLS_IN_FLIGHT + 2) + clusters x (Q_WORKERS + 3)`` (README, "More than
one machine": a runner's threads, dispatcher and heartbeat; per cluster each worker's own, the
monitor's, the scheduler's and the runner watch's; the ORM broker's pusher would add one more).

After the run, ``/metrics`` (the view itself, bearer token, multiprocess mode over the clusters'
``PROMETHEUS_MULTIPROC_DIR``) is written to ``metrics.txt`` in the work folder (``--metrics-out``
copies it) and a few lines of each family are printed.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from pathlib import Path
from types import ModuleType

TARGET_RATIO = 1.2
MEMORY_GROWTH = 0.10
MEMORY_SLACK = 8 * 2**20
CLUSTERS = 2
SETTINGS = {"Q_WORKERS": 2, "PUBLISH_RUNNERS": 2, "PUBLISH_CALLS_IN_FLIGHT": 8, "PUBLISH_RUNNER_TURN_SECONDS": 20}
INTERVAL = 10.0
REFERENCE_PINS_PER_ACCOUNT = 10


def connection_bound(*, clusters: int, workers: int, runners: int, calls_in_flight: int, orm_broker: bool) -> int:
    """The documented most database connections of ``clusters`` qcluster processes (README)."""
    per_cluster = workers + 3 + (1 if orm_broker else 0)
    return runners * (calls_in_flight + 2) + clusters * per_cluster


def _make_accounts_fast(sb: ModuleType, standin, count: int) -> list:
    """``sb._make_accounts`` in bulk (four INSERTs per thousand accounts, not four per account)."""
    from datetime import timedelta

    from django.utils import timezone

    from pinterest.models import REQUIRED_SCOPES, Board, PinterestConnection
    from publishing.models import BlogArticle, BlogProject, Tenant

    now = timezone.now()
    tenant = Tenant.objects.create(name=f"Bench tenant {time.time_ns()}")
    users, connections = [], []
    for index in range(count):
        user = standin.create_user(f"bench{index}")
        access, refresh = standin.issue_tokens(user)
        board_id = standin.add_board(user, f"Bench board {index}")
        users.append((user, board_id))
        connections.append(PinterestConnection(
            tenant=tenant, pinterest_user_id=str(user.id), username=user.username, access_token=access,
            refresh_token=refresh, access_token_expires_at=now + timedelta(days=30),
            refresh_token_expires_at=now + timedelta(days=60), scopes=",".join(REQUIRED_SCOPES),
        ))
    connections = PinterestConnection.objects.bulk_create(connections, batch_size=1000)
    boards = Board.objects.bulk_create(
        [Board(connection=c, pinterest_board_id=b, name=f"Bench board {i}")
         for i, (c, (_, b)) in enumerate(zip(connections, users, strict=True))], batch_size=1000)
    projects = BlogProject.objects.bulk_create(
        [BlogProject(tenant=tenant, name=f"Bench project {i}", pinterest_connection=c)
         for i, c in enumerate(connections)], batch_size=1000)
    articles = BlogArticle.objects.bulk_create(
        [BlogArticle(project=p, url=f"https://blog.example.com/bench/{i}", title=f"Bench article {i}")
         for i, p in enumerate(projects)], batch_size=1000)
    return [sb.Account(u, c, b, p, a)
            for (u, _), c, b, p, a in zip(users, connections, boards, projects, articles, strict=True)]


def _processes(pgid: int) -> dict[int, tuple[str, int]]:
    """pid -> (role, RSS bytes) of every process in a process group: ``qcluster`` (the command's
    own process) or ``child`` (django-q2's sentinel, pusher, monitor and workers, all named python)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                head, rest = handle.read().rsplit(")", 1)
            fields = rest.split()
            if int(fields[2]) != pgid:
                continue
            role = "qcluster" if int(entry) == pgid else "child"
            found[int(entry)] = (role, int(fields[21]) * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _sample(sb: ModuleType, clusters: list, n: int, log_path: Path, timeout: float) -> dict:
    """Until ``n`` pins are published: per process RSS (start, at a tenth, peak, end) and peak connections."""
    from publishing.models import PinStatus

    memory: dict[tuple[int, int], dict] = {}
    peak_db = 0
    deadline = time.monotonic() + timeout
    while True:
        counts = sb._status_counts()
        published = counts.get(PinStatus.PUBLISHED, 0)
        peak_db = max(peak_db, sb._db_connections() - 1)  # less this process's own
        for index, cluster in enumerate(clusters):
            for pid, (name, rss) in _processes(cluster.pid).items():
                seen = memory.setdefault((index, pid), {"name": name, "start": rss, "tenth": None, "peak": 0})
                seen["peak"], seen["end"] = max(seen["peak"], rss), rss
                if seen["tenth"] is None and published >= n / 10:
                    seen["tenth"] = rss
        if published >= n or not (counts.get(PinStatus.READY_TO_SCHEDULE) or counts.get(PinStatus.PUBLISHING)):
            return {"memory": memory, "db": peak_db}
        if any(cluster.poll() is not None for cluster in clusters):
            raise sb.BenchError(f"a qcluster exited:\n{sb._tail(log_path)}")
        if time.monotonic() > deadline:
            raise sb.BenchError(f"not published within {timeout:.0f} s: {counts}")
        time.sleep(0.5)


def _run(sb: ModuleType, *, accounts_count: int, per_account: int, interval: float, broker: str,
         workdir: Path, metrics_dir: Path) -> dict:
    from publishing.models import Pin, PinStatus

    sb._reset_data()
    sb._clean_queues()
    n = accounts_count * per_account
    log_path = workdir / f"tenk-{broker}-{accounts_count}x{per_account}.log"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    with sb.StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
        made = time.perf_counter()
        accounts = _make_accounts_fast(sb, standin, accounts_count)
        sb._make_due_pins(accounts, n)
        made = time.perf_counter() - made
        env = sb._cluster_env(standin, interval=interval, broker=broker, PROMETHEUS_MULTIPROC_DIR=metrics_dir,
                              **SETTINGS)
        clusters = [sb._start([sb.PYTHON, sb.MANAGE, "qcluster"], env=env, log_path=log_path)
                    for _ in range(CLUSTERS)]
        try:
            for cluster in clusters:
                sb._wait_cluster_up(cluster, log_path)
            started = time.time()
            sb._manage_shell(env, "from publishing.engine import runners_start; runners_start()")
            sampled = _sample(sb, clusters, n, log_path, timeout=max(300.0, n * 0.5))
        finally:
            for cluster in clusters:
                sb._stop(cluster)
        creations = standin.creations
    published = Pin.objects.filter(status=PinStatus.PUBLISHED).count()
    distinct = len({creation.body_hash for creation in creations})
    return {"n": n, "published": published, "creates": len(creations), "duplicates": len(creations) - distinct,
            "missing": n - min(distinct, published), "wall": sb._last_published() - started, "made": made,
            **sampled}


def _memory_lines(memory: dict) -> tuple[list[str], bool]:
    lines, flat = [], True
    for (index, pid), seen in sorted(memory.items()):
        base = seen["tenth"] if seen["tenth"] is not None else seen["start"]
        ok = seen["end"] <= base * (1 + MEMORY_GROWTH) + MEMORY_SLACK
        flat = flat and ok
        lines.append(f"     cluster {index + 1} pid {pid:>7} {seen['name']:8} start {seen['start'] / 2**20:6.1f}"
                     f"  at a tenth {base / 2**20:6.1f}  peak {seen['peak'] / 2**20:6.1f}  end "
                     f"{seen['end'] / 2**20:6.1f} MiB{'' if ok else '  GREW'}")
    return lines, flat


def _capture_metrics(metrics_dir: Path, workdir: Path, out, metrics_out: str | None) -> None:
    """``/metrics`` as a scraper gets it (the view, a bearer token) over the clusters' counts."""
    from django.test import RequestFactory, override_settings

    from ops.views import metrics_view

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    try:
        with override_settings(METRICS_TOKEN="bench", ALLOWED_HOSTS=["*"]):
            response = metrics_view(RequestFactory().get("/metrics", HTTP_AUTHORIZATION="Bearer bench"))
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
    text = response.content.decode()
    (workdir / "metrics.txt").write_text(text)
    if metrics_out:
        Path(metrics_out).write_text(text)
    out(f"   /metrics after the run ({response.status_code}, {len(text.splitlines())} lines"
        f"{', written to ' + metrics_out if metrics_out else ''}); the first lines of each family:")
    shown: dict[str, int] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or line.split("{")[0].split(" ")[0].endswith("_created"):
            continue
        family = line.split("{")[0].split(" ")[0]
        for suffix in ("_bucket", "_count", "_sum", "_total"):
            family = family.removesuffix(suffix)
        if shown.get(family, 0) < 3:
            shown[family] = shown.get(family, 0) + 1
            out(f"     {line}")


def bench_tenk(sb: ModuleType, sizes, workdir: Path, out, accounts: int | None, metrics_out: str | None) -> dict:
    quick = sizes is sb.QUICK
    m = accounts or (200 if quick else 10_000)
    reference_m = max(1, m // REFERENCE_PINS_PER_ACCOUNT)
    broker = "redis"
    bound = connection_bound(clusters=CLUSTERS, workers=SETTINGS["Q_WORKERS"], runners=SETTINGS["PUBLISH_RUNNERS"],
                             calls_in_flight=SETTINGS["PUBLISH_CALLS_IN_FLIGHT"], orm_broker=broker == "orm")
    out(f"8. Many accounts: {m} accounts, one due pin each, {CLUSTERS} qcluster processes on Redis "
        f"(Q_WORKERS={SETTINGS['Q_WORKERS']} each, PUBLISH_RUNNERS={SETTINGS['PUBLISH_RUNNERS']}, "
        f"PUBLISH_CALLS_IN_FLIGHT={SETTINGS['PUBLISH_CALLS_IN_FLIGHT']}), pacing {INTERVAL:g} s, latency 50 ms;")
    out(f"   machine limit = the same {m} pins over {reference_m} accounts ({REFERENCE_PINS_PER_ACCOUNT} each), "
        f"pacing off, same clusters; target wall <= {TARGET_RATIO} x limit")
    run = _run(sb, accounts_count=m, per_account=1, interval=INTERVAL, broker=broker, workdir=workdir,
               metrics_dir=workdir / "metrics")
    out(f"   accounts and pins made in {run['made']:.0f} s; published {run['published']}/{run['n']} "
        f"({run['creates']} creates on the stand-in), duplicates {run['duplicates']}, missing {run['missing']}")
    _capture_metrics(workdir / "metrics", workdir, out, metrics_out)
    reference = _run(sb, accounts_count=reference_m, per_account=REFERENCE_PINS_PER_ACCOUNT, interval=0,
                     broker=broker, workdir=workdir, metrics_dir=workdir / "metrics-reference")
    limit = reference["wall"]
    ratio = run["wall"] / limit if limit > 0 else math.inf
    lines, flat = _memory_lines(run["memory"])
    once = run["duplicates"] == 0 and run["missing"] == 0 and run["published"] == run["n"]
    ref_once = reference["duplicates"] == 0 and reference["missing"] == 0
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    out(f"   wall {run['wall']:.1f} s against the machine limit {limit:.1f} s ({reference['published']}/"
        f"{reference['n']} over {reference_m} accounts, duplicates {reference['duplicates']}): ratio {ratio:.2f} "
        f"{sb._verdict(ratio <= TARGET_RATIO)}")
    out(f"   peak database connections {run['db']} (reference run {reference['db']}) against the documented bound "
        f"{bound} = PUBLISH_RUNNERS x (PUBLISH_CALLS_IN_FLIGHT + 2) + clusters x (Q_WORKERS + 3) "
        f"{sb._verdict(max(run['db'], reference['db']) <= bound)}")
    out(f"   RSS of each cluster process (MiB), flat: {sb._verdict(flat)}")
    for line in lines:
        out(line)
    out(f"   load average at the end: {load}")
    if not (once and ref_once):
        raise sb.BenchError(f"not every pin exactly once: {run['published']}/{run['n']} published, duplicates "
                            f"{run['duplicates']}, missing {run['missing']}; reference duplicates "
                            f"{reference['duplicates']}, missing {reference['missing']}")
    if max(run["db"], reference["db"]) > bound:
        raise sb.BenchError(f"database connections {max(run['db'], reference['db'])} over the bound {bound}")
    if not flat and not quick:
        raise sb.BenchError("a cluster process's memory grew over the run")
    return {"run": run, "reference": reference, "ratio": ratio, "bound": bound, "flat": flat}
