#!/usr/bin/env python
"""The analytics sync benchmark: N accounts x M published pins synced against the stand-in with
Pinterest's org_analytics rate limit on; the wall time against the limit's own bound (not a test).

    DATABASE_URL=... .venv/bin/python bench/analytics_bench.py [--accounts 1000] [--pins 200]
        [--limit 100] [--window 1] [--workers 8] [--history-days 7] [--quick]

Without ``DATABASE_URL`` it runs on a fresh SQLite file (one worker: SQLite has one writer); with
one it uses that database (give an empty one: it is migrated). The stand-in runs in this process
(a thread) and allows ``--limit`` analytics calls per account (token) per ``--window`` seconds,
answering 429 with the seconds until a slot frees as Retry-After, as Pinterest's per-user limits do.

Each account is synced by the real service (``connection_sync_analytics``: its totals, then one
call per pin, ``--history-days`` days each) from ``--workers`` threads that play django-q2's
workers. ``ANALYTICS_MAX_WAIT_SECONDS`` is 0, so no worker ever sleeps on a 429: the sync stops
with ``resume_at`` and the account goes back in the queue for then (what the one-off resume
schedule does in production), and the worker takes another account.

The limit's own bound: an account needs M + 1 calls; at most L per window W go through, so it
cannot finish before floor(M / L) x W seconds; accounts have their own limits and run side by
side, so that is also the bound of the whole run. The wall time runs from the first sync to the
last account's end. Exits 1 unless every pin has its days stored, every account took exactly
M + 1 answered calls (no day fetched twice), and the wall time is not below the bound.
``--quick`` (CI's smoke check): 6 accounts x 30 pins, L = 10 per 1 s. See bench/README.md, "Analytics".
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--pins", type=int, default=200, help="published pins per account")
    parser.add_argument("--limit", type=int, default=100, help="analytics calls per account per window")
    parser.add_argument("--window", type=float, default=1.0, help="the rate limit's window, seconds")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--history-days", type=int, default=7, help="days since the pins were published")
    parser.add_argument("--quick", action="store_true", help="a smoke check for CI: 6 accounts x 30 pins")
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.pins, args.limit, args.window, args.workers = 6, 30, 10, 1.0, 4

    folder = tempfile.mkdtemp(prefix="analytics_bench_")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection as db

    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    if db.vendor == "sqlite":
        args.workers = 1
    from analytics.models import PinAnalyticsState, PinDailyMetrics
    from analytics.services.sync import connection_sync_analytics
    from pinterest.models import Board, PinterestConnection
    from pinterest.standin.server import run_standin
    from publishing.models import BlogArticle, BlogProject, Pin, PinStatus, Tenant

    today = datetime.now(UTC).date()
    created = datetime.combine(today - timedelta(days=args.history_days), datetime.min.time(), UTC).replace(hour=19)
    with run_standin() as standin:
        settings.PINTEREST_API_BASE = standin.api_base
        settings.ANALYTICS_MAX_WAIT_SECONDS = 0.0
        began = time.perf_counter()
        ids = _accounts(args, standin, created, Tenant, PinterestConnection, Board, BlogProject, BlogArticle, Pin,
                        PinStatus)
        print(f"database: {db.vendor}; {args.accounts} accounts x {args.pins} pins, "
              f"{args.history_days} days each, made in {time.perf_counter() - began:.1f} s")
        standin.set_rate_limit(args.limit, args.window, category="org_analytics")
        wall, reports, slept, answered, limited = _run(args, ids, today, connection_sync_analytics)
    bound = math.floor(args.pins / args.limit) * args.window
    rows = PinDailyMetrics.objects.count()
    synced = PinAnalyticsState.objects.exclude(synced_on=None).count()
    print(f"rate limit: {args.limit} calls per {args.window:g} s per account; workers: {args.workers}")
    print(f"calls: {sum(answered.values())} answered, {limited} answered 429 (each a deferral, no sleep); "
          f"syncs run: {reports}")
    print(f"stored: {rows} pin days, {synced} pins synced")
    ratio = f"{wall / bound:.2f}" if bound else "-"
    print(f"wall time: {wall:.2f} s; the limit's own bound: {bound:.2f} s "
          f"(floor({args.pins} / {args.limit}) x {args.window:g} s); ratio {ratio}; "
          f"{sum(answered.values()) / wall:.0f} answered calls/s")
    problems = []
    if slept:
        problems.append(f"a worker slept {slept} times on a 429")
    if synced != args.accounts * args.pins:
        problems.append(f"{synced} pins synced, expected {args.accounts * args.pins}")
    if sorted(answered.values()) != [args.pins + 1] * args.accounts:
        problems.append(f"answered calls per account {sorted(set(answered.values()))}, expected {args.pins + 1}")
    if wall < bound:
        problems.append("faster than the rate limit allows: the limit was not applied")
    if problems:
        sys.exit("; ".join(problems))


def _accounts(args, standin, created, Tenant, PinterestConnection, Board, BlogProject, BlogArticle, Pin,
              PinStatus) -> list[int]:
    """N accounts on the stand-in and in the database, M published pins each."""
    tenant = Tenant.objects.create(name=f"Analytics bench {os.getpid()}")
    ids = []
    for n in range(args.accounts):
        user = standin.create_user(f"bench{n}")
        access, refresh = standin.issue_tokens(user)
        board_id = standin.add_board(user, "Board")
        connection = PinterestConnection.objects.create(
            tenant=tenant, pinterest_user_id=user.id, username=user.username, access_token=access,
            refresh_token=refresh,
        )
        board = Board.objects.create(connection=connection, pinterest_board_id=board_id, name="Board")
        project = BlogProject.objects.create(tenant=tenant, name=f"Project {n}", pinterest_connection=connection)
        article = BlogArticle.objects.create(project=project, url=f"https://blog.example.com/{n}")
        pins = []
        for m in range(args.pins):
            remote = standin.add_pin(board_id, created_at=(created + timedelta(hours=m % 24)).isoformat())
            pins.append(Pin(project=project, article=article, board=board, image_url="https://img.example.com/a.jpg",
                            status=PinStatus.PUBLISHED, pinterest_pin_id=remote["id"],
                            published_at=created + timedelta(hours=m % 24)))
        Pin.objects.bulk_create(pins, batch_size=1000)
        ids.append(connection.pk)
    return ids


def _run(args, ids: list[int], today: date, sync) -> tuple[float, int, int]:
    """Every account synced by ``--workers`` threads; an account told to wait goes back in the
    queue for its ``resume_at``. Returns (wall seconds, syncs run, sleeps asked for, answered calls
    per account, calls answered 429): a sync that stops on a 429 made one call that was refused."""
    from django.db import connection as db

    ready = [(0.0, pk) for pk in ids]
    heapq.heapify(ready)
    lock = threading.Condition()
    left = {"accounts": len(ids), "syncs": 0, "slept": 0, "limited": 0}
    answered: Counter = Counter()

    def no_sleep(seconds: float) -> None:
        left["slept"] += 1

    def worker() -> None:
        try:
            while True:
                with lock:
                    while True:
                        if not left["accounts"]:
                            return
                        if ready and ready[0][0] <= time.monotonic():
                            _at, pk = heapq.heappop(ready)
                            break
                        lock.wait(timeout=(ready[0][0] - time.monotonic()) if ready else 0.05)
                report = sync(connection_id=pk, today=today, sleep=no_sleep)
                with lock:
                    left["syncs"] += 1
                    refused = 1 if report.resume_at is not None else 0
                    answered[pk] += report.calls - refused
                    left["limited"] += refused
                    if report.resume_at is not None:
                        delay = (report.resume_at - datetime.now(UTC)).total_seconds()
                        heapq.heappush(ready, (time.monotonic() + max(0.0, delay), pk))
                    else:
                        left["accounts"] -= 1
                    lock.notify_all()
        finally:
            db.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, left["syncs"], left["slept"], answered, left["limited"]


if __name__ == "__main__":
    main()
