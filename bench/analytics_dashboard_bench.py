#!/usr/bin/env python
"""The analytics dashboard benchmark: a project's dashboard over millions of daily rows (not a test).

    DATABASE_URL=postgres://... .venv/bin/python bench/analytics_dashboard_bench.py
        [--projects 50] [--pins 2000] [--days 100] [--runs 5] [--quick] [--reuse]

Give it an empty PostgreSQL database (it is migrated and left filled; without ``DATABASE_URL`` a SQLite file is
used, for a smoke check only). It makes ``--projects`` projects of ``--pins`` published pins on 10
boards each and one ``PinDailyMetrics`` row per pin per day over ``--days`` days, written by one
``INSERT ... SELECT`` (50 x 2,000 x 100 = 10,000,000 rows), builds the dashboard's rollups from
them as the migration's backfill does (``rollups_rebuild``), then ANALYZEs. It times what
``GET /api/projects/{id}/analytics/`` reads (``analytics.selectors.project_analytics``: totals,
per day, per board, per kind, top 20 pins, from the rollups) for one project over the last 30
and 90 days, a pin's 90 days (``pin_analytics``) and the project's posting times
(``analytics.posting_times``): the median of ``--runs`` runs each, against the 200 ms target
(printed, not enforced); and checks the 30-day answer once against the daily rows summed (exits
non-zero if they differ). Then what the rollups cost the writer: 200 pins' last 7 days stored
again with new numbers (``pin_days_store``, as a sync's revised days are).
``--quick``: 4 projects x 100 pins x 100 days (40,000 rows). ``--reuse``: the database a run left
filled is timed again without filling it (the fill takes many minutes at 10 million rows).
See bench/README.md, "Analytics".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--pins", type=int, default=2000, help="pins per project")
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a smoke check for CI: 4 x 100 x 100")
    parser.add_argument("--reuse", action="store_true", help="time the reads over the rows a run left (no fill)")
    args = parser.parse_args()
    if args.quick:
        args.projects, args.pins, args.days, args.runs = 4, 100, 100, 3

    folder = tempfile.mkdtemp(prefix="analytics_dashboard_bench_")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection as db

    call_command("migrate", verbosity=0)
    from analytics.models import PinDailyMetrics, PinWeekRollup, ProjectDayRollup
    from analytics.posting_times import posting_times
    from analytics.selectors import pin_analytics, project_analytics
    from publishing.models import BlogProject, Pin

    today = datetime.now(UTC).date()
    if args.reuse and PinDailyMetrics.objects.exists():
        today = PinDailyMetrics.objects.latest("date").date + timedelta(days=1)
        projects = list(BlogProject.objects.filter(tenant__name__startswith="Dashboard bench").order_by("pk"))
        print(f"database: {db.vendor}; reused: {len(projects)} projects, {PinDailyMetrics.objects.count():,} rows, "
              f"{ProjectDayRollup.objects.count():,} day cells, {PinWeekRollup.objects.count():,} pin weeks")
    else:
        projects = _fill(args, db, today)

    project = projects[len(projects) // 2]
    pin = Pin.objects.filter(project=project).first()
    assert pin is not None
    end = today - timedelta(days=1)
    for label, read in (
        ("project, 30 days", lambda: project_analytics(project=project, start=end - timedelta(days=29), end=end)),
        ("project, 90 days", lambda: project_analytics(project=project, start=end - timedelta(days=89), end=end)),
        ("pin, 90 days", lambda: pin_analytics(pin=pin, start=end - timedelta(days=89), end=end)),
        ("posting times", lambda: {"cells": posting_times(project=project).cells}),
    ):
        times, data = _timed(read, args.runs)
        median = statistics.median(times)
        verdict = "within" if median < TARGET_MS else "OVER"
        print(f"{label}: median {median:.0f} ms, max {max(times):.0f} ms over {args.runs} runs "
              f"({verdict} the {TARGET_MS} ms target)")
        if "top_pins" in data and (len(data["per_day"]) == 0 or len(data["top_pins"]) != min(20, args.pins)):
            sys.exit(f"{label}: the dashboard read no rows")
        if "cells" in data and not data["cells"]:
            sys.exit(f"{label}: no pins with metrics read")
    _check_against_rows(project, end - timedelta(days=29), end)
    _time_revised_days(project, today)


def _fill(args, db, today: date) -> list:
    """The projects, pins and rows (and their rollups, as the migration's backfill builds them)."""
    from analytics.models import PinDailyMetrics, PinWeekRollup, ProjectDayRollup
    from analytics.services.rollup import rollups_rebuild
    from pinterest.models import Board, PinterestConnection
    from publishing.models import BlogArticle, BlogProject, Pin, PinStatus, Tenant

    first = today - timedelta(days=args.days)
    began = time.perf_counter()
    tenant = Tenant.objects.create(name=f"Dashboard bench {os.getpid()}")
    projects = []
    for n in range(args.projects):
        account = PinterestConnection.objects.create(
            tenant=tenant, pinterest_user_id=f"dash{os.getpid()}-{n}", username=f"dash{n}", access_token="x",
            refresh_token="y",
        )
        boards = Board.objects.bulk_create(
            [Board(connection=account, pinterest_board_id=f"{n}-{b}", name=f"Board {b}") for b in range(10)]
        )
        project = BlogProject.objects.create(tenant=tenant, name=f"Project {n}", pinterest_connection=account)
        article = BlogArticle.objects.create(project=project, url=f"https://blog.example.com/{n}")
        Pin.objects.bulk_create(
            [Pin(project=project, article=article, board=boards[m % 10], kind=("image", "carousel", "video")[m % 3],
                 image_url="https://img.example.com/a.jpg", status=PinStatus.PUBLISHED,
                 pinterest_pin_id=f"{n}-{m}", title=f"Pin {m}",
                 published_at=datetime.combine(first, datetime.min.time(), UTC) - timedelta(hours=m % 168))
             for m in range(args.pins)],
            batch_size=2000,
        )
        projects.append(project)
    made_pins = time.perf_counter() - began
    began = time.perf_counter()
    _insert_rows(db, first, args.days, PinDailyMetrics._meta.db_table, Pin._meta.db_table)
    rows = PinDailyMetrics.objects.count()
    wrote = time.perf_counter() - began
    began = time.perf_counter()
    rollups_rebuild()
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(f"ANALYZE {ProjectDayRollup._meta.db_table}")
            cursor.execute(f"ANALYZE {PinWeekRollup._meta.db_table}")
    rolled = time.perf_counter() - began
    print(f"database: {db.vendor}; {args.projects} projects x {args.pins} pins x {args.days} days = {rows:,} rows "
          f"(pins made in {made_pins:.1f} s, rows written and analyzed in {wrote:.1f} s, rollups built in "
          f"{rolled:.1f} s: {ProjectDayRollup.objects.count():,} day cells, {PinWeekRollup.objects.count():,} "
          f"pin weeks)")

    return projects


def _check_against_rows(project, start: date, end: date) -> None:
    """The 30-day totals and top pins, summed from the daily rows (slow), against the rollups'."""
    from django.db.models import Sum

    from analytics.models import PinDailyMetrics
    from analytics.selectors import METRICS, project_analytics

    rows = PinDailyMetrics.objects.filter(project=project, date__gte=start, date__lte=end)
    sums = {name: Sum(name) for name in METRICS}
    began = time.perf_counter()
    totals = {name: int(value or 0) for name, value in rows.aggregate(**sums).items()}
    top = [row["pin_id"] for row in rows.values("pin_id", "kind").annotate(**sums)
           .order_by("-outbound_clicks", "-saves", "-impressions", "pin_id")[:20]]
    took = (time.perf_counter() - began) * 1000
    data = project_analytics(project=project, start=start, end=end)
    if data["totals"] != totals or [row["pin_id"] for row in data["top_pins"]] != top:
        sys.exit("the rollups' 30-day totals or top pins differ from the daily rows summed")
    print(f"checked: the 30-day totals and top 20 equal the daily rows summed (that read: {took:.0f} ms)")


def _time_revised_days(project, today: date) -> None:
    """200 pins' last 7 days stored again with new numbers, through the sync's writer."""
    from analytics.selectors import PinToSync
    from analytics.services.store import pin_days_store
    from pinterest.client import DayMetrics
    from publishing.models import Pin

    pins = list(Pin.objects.filter(project=project).order_by("pk")[:200])
    now = datetime.now(UTC)
    began = time.perf_counter()
    for n, pin in enumerate(pins):
        days = [DayMetrics(today - timedelta(days=back), "READY", {"IMPRESSION": 500 + n + back, "SAVE": 7,
                                                                   "PIN_CLICK": 3, "OUTBOUND_CLICK": n % 9})
                for back in range(1, 8)]
        pin_days_store(pin=PinToSync(pin.id, pin.pinterest_pin_id, pin.kind, pin.project_id, pin.board_id,
                                     pin.published_at, None, None), days=days, now=now)
    took = time.perf_counter() - began
    print(f"revised days written with their rollups: {len(pins)} pins x 7 days in {took * 1000:.0f} ms "
          f"({took * 1000 / max(1, len(pins)):.1f} ms a pin)")


def _insert_rows(db, first: date, days: int, table: str, pins: str) -> None:
    """One row per pin per day, numbers from the pin's and the day's position, in one statement."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                f"""INSERT INTO {table} (pin_id, project_id, board_id, kind, date, impressions, saves, pin_clicks,
                        outbound_clicks, video_views, video_starts, video_avg_watch_time_ms, data_status, updated_at)
                    SELECT p.id, p.project_id, p.board_id, p.kind, %s::date + d,
                           100 + (d * 7 + abs(hashtext(p.title))) %% 900,
                           (d + abs(hashtext(p.title))) %% 40 + 40, (d * 3) %% 50 + 10,
                           abs(hashtext(p.title)) %% 30 + 30,
                           CASE WHEN p.kind = 'video' THEN 50 END, CASE WHEN p.kind = 'video' THEN 60 END,
                           CASE WHEN p.kind = 'video' THEN 2500.0 END, 'READY', now()
                    FROM {pins} p CROSS JOIN generate_series(0, %s - 1) AS d""",
                [first, days],
            )
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(
                f"""WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < %s - 1)
                    INSERT INTO {table} (pin_id, project_id, board_id, kind, date, impressions, saves, pin_clicks,
                        outbound_clicks, data_status, updated_at)
                    SELECT p.id, p.project_id, p.board_id, p.kind, date(%s, '+' || d.n || ' days'),
                           100 + (d.n * 7 + length(p.title) * 13) %% 900, 40, 10, 30, 'READY', datetime('now')
                    FROM {pins} p CROSS JOIN d""",
                [days, first.isoformat()],
            )


def _timed(read, runs: int) -> tuple[list[float], dict]:
    times, data = [], {}
    read()  # warm the cache, as a dashboard used daily is
    for _ in range(runs):
        began = time.perf_counter()
        data = read()
        times.append((time.perf_counter() - began) * 1000)
    return times, data


if __name__ == "__main__":
    main()
