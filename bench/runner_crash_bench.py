#!/usr/bin/env python
"""What a crash costs in lateness: two clusters publish pins due every half second while a
cluster is SIGKILLed (or every database backend is terminated) mid-run. Not a test.

    .venv/bin/python bench/runner_crash_bench.py [--quick] [--fault cluster|backends] [--postgres URL]

It creates a fresh database (``pinpublisher_crashbench_<pid>``) on the PostgreSQL server
(default ``postgres://postgres@127.0.0.1:5432``, or ``$BENCH_POSTGRES_URL``), migrates it,
sets up the schedules (``publish-on-time`` every minute, as in production), starts the
stand-in and two ``manage.py qcluster`` processes (ORM broker, 2 workers each, the runner
settings at their defaults: ``PUBLISH_RUNNERS`` 2, turns of 60 s, heartbeat 2 s), and
schedules pins over ``--accounts`` accounts, one every ``--step`` seconds for ``--window``
seconds. The runners start in cluster a before cluster b starts, so the first fault kills
every runner (the case where nothing survives to cover for them; a surviving runner serves
every account anyway). During the window it kills the cluster holding the most database connections (the one
running runners): SIGKILL of its process group, restarted ``--restart-after`` seconds later as
a supervisor would; or, with ``--fault backends``, it terminates every backend of the database
(``pg_terminate_backend``).

Lateness of a pin = the stand-in's clock when Pinterest created it - its scheduled time (a
pin whose answer the kill lost counts from its create, not from the reconcile that found it
after its lease). Printed as p50 / p99 / max for the pins due within ``--after`` seconds of a
fault, for the pins no fault touched, for the pins a fault caught in flight (claimed by a dead
runner: their lease decides them, which this benchmark does not change) and for all; pins
the kill interrupted before their create are counted apart (they end in ``error``, "not
created": a person retries them). The database is dropped at the end, also on failure or
Ctrl-C. See bench/README.md, "Runner crash".
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from sweep_bench import (  # noqa: E402  (the same processes and data helpers as the sweep benchmark)
    DEFAULT_POSTGRES,
    MANAGE,
    PYTHON,
    BenchError,
    StandinProcess,
    _admin_connect,
    _configure_environment,
    _env,
    _make_accounts,
    _start,
    _stop,
    _stop_all_children,
    _tail,
    _wait_cluster_up,
)

#: The lease must outlast one create (system check publishing.E001): connect 5 + read 30 +
#: grace 5 s with no 429 retries, plus the 5 s a just-claimed pin goes unrenewed (lease.fresh).
#: Short, so pins the kill left ``publishing`` are looked at soon.
LEASE_SECONDS = 50


def _percentiles(values: list[float]) -> str:
    if not values:
        return "(none)"
    values = sorted(values)
    p50 = values[len(values) // 2]
    p99 = values[min(len(values) - 1, math.ceil(len(values) * 0.99) - 1)]
    return f"p50 {p50:5.1f} s  p99 {p99:5.1f} s  max {values[-1]:5.1f} s  ({len(values)} pins)"


def _cluster_env(standin) -> dict:
    return _env(
        PINTEREST_API_BASE=standin.api_base, PINTEREST_PUBLISH_INTERVAL_SECONDS=1.0, Q_POLL_SECONDS=0.2,
        Q_WORKERS=2, PUBLISH_LEASE_SECONDS=LEASE_SECONDS, PUBLISH_RATE_LIMIT_RETRIES=0, LOG_LEVEL="WARNING",
    )


def _database_sockets(pgid: int) -> int:
    """TCP connections to PostgreSQL (port 5432) held by the processes of a process group: a
    runner holds several (its dispatcher, threads and heartbeat), an idle worker one at most."""
    remote = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                for line in handle.readlines()[1:]:
                    fields = line.split()
                    if fields[2].rsplit(":", 1)[1] == "1538":  # 5432
                        remote.add(fields[9])
        except OSError:
            pass
    held = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                if int(handle.read().rsplit(")", 1)[1].split()[2]) != pgid:
                    continue
            for fd in os.listdir(f"/proc/{entry}/fd"):
                target = os.readlink(f"/proc/{entry}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in remote:
                    held += 1
        except (OSError, IndexError, ValueError):
            continue
    return held


def _terminate_backends() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def _caught_in_flight(fault) -> set:
    """Pins still ``publishing`` on a claim made before the fault: the dead runners' leases."""
    from publishing.models import Pin, PinStatus

    return set(Pin.objects.filter(status=PinStatus.PUBLISHING, publishing_started_at__lte=fault)
               .values_list("pk", flat=True))


def _undecided() -> int:
    from publishing.models import Pin, PinStatus

    return Pin.objects.filter(status__in=[PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHING]).count()


def run(args, workdir: Path, out) -> dict:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from publishing.engine import pins_publish_due, runners_start
    from publishing.models import Pin, PinStatus, PublishRunner
    from publishing.schedules import schedules_setup

    log_path = workdir / "qcluster.log"
    with StandinProcess(latency_ms=50, log_path=workdir / "standin.log") as standin:
        settings.PINTEREST_API_BASE = standin.api_base  # the recovery at the end, in this process
        accounts = _make_accounts(standin, args.accounts)
        env = _cluster_env(standin)
        schedules_setup()
        clusters = {"a": _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)}
        try:
            _wait_cluster_up(clusters["a"], log_path)
            first = timezone.now() + timedelta(seconds=args.lead)
            count = int(args.window / args.step)
            pins = [
                Pin(project=account.project, article=account.article, board=account.board,
                    image_url=f"https://images.example.com/crash/{index}.jpg", title=f"Crash pin {index}",
                    status=PinStatus.READY_TO_SCHEDULE, scheduled_at=first + timedelta(seconds=index * args.step))
                for index, account in ((i, accounts[i % len(accounts)]) for i in range(count))
            ]
            Pin.objects.bulk_create(pins)
            # The runners start in cluster a (as a bulk request would start them); cluster b starts
            # once they run, so the first fault kills every runner: nothing survives to cover for them.
            places = {place.slot: place.held_until for place in PublishRunner.objects.all()} if runners_start() else {}
            deadline = time.monotonic() + 60
            while any(PublishRunner.objects.get(slot=slot).held_until == held for slot, held in places.items()):
                if time.monotonic() > deadline:
                    raise BenchError(f"the runners did not start:\n{_tail(log_path)}")
                time.sleep(0.2)
            clusters["b"] = _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)
            _wait_cluster_up(clusters["b"], log_path)
            faults = [first + timedelta(seconds=args.first_fault + k * args.fault_every) for k in range(args.faults)]
            out(f"   {count} pins over {args.accounts} accounts, one every {args.step:g} s from {first:%H:%M:%S}; "
                f"faults ({args.fault}) at " + ", ".join(f"{at:%H:%M:%S}" for at in faults))
            caught: set = set()
            for at in faults:
                time.sleep(max(0.0, (at - timezone.now()).total_seconds()))
                if args.fault == "cluster":
                    # The cluster running the runners (the most database connections) is killed.
                    held = {name: _database_sockets(cluster.pid) for name, cluster in clusters.items()}
                    name = max(held, key=held.get)
                    os.killpg(clusters[name].pid, signal.SIGKILL)
                    clusters[name].wait()
                    killed_at = timezone.now()
                    out(f"   {killed_at:%H:%M:%S} cluster {name} killed (SIGKILL of its process group; database "
                        f"connections a {held['a']}, b {held['b']})")
                    time.sleep(args.restart_after)
                    caught |= _caught_in_flight(killed_at)
                    clusters[name] = _start([PYTHON, MANAGE, "qcluster"], env=env, log_path=log_path)
                    out(f"   {timezone.now():%H:%M:%S} cluster {name} restarted")
                else:
                    killed_at = timezone.now()
                    out(f"   {killed_at:%H:%M:%S} {_terminate_backends()} database backends terminated")
                    time.sleep(args.restart_after)
                    caught |= _caught_in_flight(killed_at)
            end = first + timedelta(seconds=args.window)
            deadline = time.monotonic() + (end - timezone.now()).total_seconds() + 240
            while Pin.objects.filter(status=PinStatus.READY_TO_SCHEDULE).exists():
                if time.monotonic() > deadline:
                    raise BenchError(f"pins still waiting 240 s after the last one was due:\n{_tail(log_path)}")
                time.sleep(1.0)
        finally:
            for cluster in clusters.values():
                _stop(cluster)
        # Pins the kills left ``publishing`` are looked at once their lease is over (the sweep's
        # recovery, run here instead of waiting for its schedule).
        if _undecided():
            time.sleep(LEASE_SECONDS + 1)
            pins_publish_due()
        every_creation = standin.creations
    creations = {creation.pin_id: creation for creation in every_creation}
    late_faulted, late_clean, late_caught, lost, late_all = [], [], [], 0, []
    timeline: dict[int, list[float]] = {}
    duplicates = len(every_creation) - len(creations)
    for pin in Pin.objects.only("status", "scheduled_at", "pinterest_pin_id", "error_message"):
        creation = creations.get(pin.pinterest_pin_id) if pin.pinterest_pin_id else None
        if creation is None:
            lost += 1
            continue
        late = creation.time - pin.scheduled_at.timestamp()
        late_all.append(late)
        if pin.pk in caught:
            late_caught.append(late)
            continue
        timeline.setdefault(int((pin.scheduled_at - first).total_seconds() // 10), []).append(late)
        near = any(0 <= (pin.scheduled_at - at).total_seconds() < args.after for at in faults)
        (late_faulted if near else late_clean).append(late)
    out("   lateness = created on Pinterest - scheduled:")
    for label, values in (
        (f"pins due within {args.after:g} s after a fault", late_faulted),
        ("pins no fault touched", late_clean),
        ("pins a fault caught in flight (lease decides)", late_caught),
        ("all pins", late_all),
    ):
        out(f"     {label:<48} {_percentiles(values)}")
    out("   worst lateness per 10 s of scheduled time (s after the first pin: s late): " + ", ".join(
        f"{bucket * 10}: {max(values):.0f}" for bucket, values in sorted(timeline.items())))
    out(f"   never created (a kill interrupted them before the call; they say so): {lost}; "
        f"created twice: {duplicates}; still undecided: {_undecided()}")
    return {"faulted": late_faulted, "clean": late_clean, "lost": lost, "duplicates": duplicates}


def _arguments(argv):
    parser = argparse.ArgumentParser(description="Lateness around a killed cluster (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="One fault in a 70 s window (a smoke check).")
    parser.add_argument("--fault", choices=("cluster", "backends"), default="cluster",
                        help="SIGKILL one cluster at a time, or terminate every database backend.")
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--step", type=float, default=0.5, help="Seconds between two pins' times.")
    parser.add_argument("--window", type=float, help="Seconds over which pins are due (quick 70, full 270).")
    parser.add_argument("--faults", type=int, help="How many faults (quick 1, full 3).")
    parser.add_argument("--first-fault", type=float, default=15.0,
                        help="Seconds after the first pin's time (within the runners' first turn of 60 s).")
    parser.add_argument("--fault-every", type=float, default=80.0)
    parser.add_argument("--restart-after", type=float, default=5.0, help="A killed cluster restarts this much later.")
    parser.add_argument("--after", type=float, default=30.0, help="Pins due this long after a fault are 'touched'.")
    parser.add_argument("--lead", type=float, default=20.0, help="Seconds from the runners' start to the first pin.")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args(argv)
    args.window = args.window or (70.0 if args.quick else 270.0)
    args.faults = args.faults or (1 if args.quick else 3)
    return args


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    args = _arguments(argv)
    base = args.postgres.rstrip("/")
    try:
        admin = _admin_connect(base)
    except Exception as exc:  # any failure to connect is the same one-line refusal
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"runner_crash_bench: PostgreSQL is not reachable at {base} ({reason}); start it or pass --postgres URL.",
              file=sys.stderr)
        return 2
    name = f"pinpublisher_crashbench_{os.getpid()}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    signal.signal(signal.SIGTERM, _on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="runner_crash_bench_"))
    failed = False

    def out(line=""):
        print(line, flush=True)

    try:
        _configure_environment(base, name, workdir)
        os.environ["PUBLISH_LEASE_SECONDS"] = str(LEASE_SECONDS)
        os.environ["PUBLISH_RATE_LIMIT_RETRIES"] = "0"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        out(f"pinpublisher runner crash benchmark ({'quick' if args.quick else 'full'}), "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs (load average {load})")
        started = time.perf_counter()
        try:
            run(args, workdir, out)
        except BenchError as exc:
            failed = True
            out(f"   FAILED: {exc}")
        out(f"   ({time.perf_counter() - started:.0f} s)")
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
            print(f"runner_crash_bench: could not drop database {name}: {exc}", file=sys.stderr)
    if failed or args.keep_logs:
        out(f"logs in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
