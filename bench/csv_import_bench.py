#!/usr/bin/env python
"""The CSV import benchmark: how long 10,000 rows take, all or nothing (not a test).

    DATABASE_URL=... .venv/bin/python bench/csv_import_bench.py [--rows 10000] [--queued 0.5] [--dry-run] [--quick]

Without ``DATABASE_URL`` it runs on a fresh SQLite file in a temporary folder; with one it uses
that database (give an empty one: it is migrated, and the bench's tenant is deleted at the end).
It makes a tenant, a Pinterest account with 50 boards, a project in Europe/Berlin with 21 weekly
posting slots, and a CSV in Pinterest's bulk-create format: ``--rows`` rows over 50 boards and
2,000 article links, a ``--queued`` share with an empty publish date (they go into the queue),
the rest dated (half with an offset, half in the project's zone). Then it times
``pins_import_csv`` (parse, check every row, create articles and pins, schedule each through
``pin_schedule``) and prints rows per second; it exits 1 unless every row became a pin.
``--quick`` (CI's smoke check): 500 rows. No image is fetched. See bench/README.md, "CSV import".
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--queued", type=float, default=0.5, help="share of rows without a publish date")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke check for CI: 500 rows")
    args = parser.parse_args()
    if args.quick:
        args.rows = 500

    folder = tempfile.mkdtemp(prefix="csv_bench_")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from pinterest.models import Board, PinterestConnection
    from publishing.models import BlogProject, Pin, PostingSlot, Tenant
    from publishing.services.csv_import import pins_import_csv

    tenant = Tenant.objects.create(name=f"CSV bench {os.getpid()}")
    account = PinterestConnection.objects.create(
        tenant=tenant, pinterest_user_id=f"bench{os.getpid()}", username="bench", access_token="x", refresh_token="y"
    )
    boards = [Board(connection=account, pinterest_board_id=str(n), name=f"Board {n}") for n in range(50)]
    Board.objects.bulk_create(boards)
    project = BlogProject.objects.create(
        tenant=tenant, name="Bench", pinterest_connection=account, timezone="Europe/Berlin"
    )
    PostingSlot.objects.bulk_create(
        [PostingSlot(project=project, weekday=d, local_time=time(h, 0)) for d in range(7) for h in (9, 13, 19)]
    )
    start = datetime.now(UTC) + timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Media URL", "Pinterest board", "Thumbnail", "Description", "Link", "Publish date",
                     "Keywords", "Alt text"])
    queued_every = round(1 / args.queued) if args.queued else 0
    for n in range(args.rows):
        if queued_every and n % queued_every == 0:
            date = ""
        elif n % 2:
            date = (start + timedelta(minutes=n)).isoformat(timespec="minutes")
        else:
            date = (start + timedelta(minutes=n)).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M")
        writer.writerow([f"Pin {n}: a title of ordinary length", f"https://img.example.com/{n}.jpg",
                         f"board {n % 50}", "", "A description " * 10, f"https://blog.example.com/a/{n % 2000}",
                         date, "", f"Alt text {n}"])
    data = out.getvalue().encode()
    began = clock.perf_counter()
    result = pins_import_csv(project=project, data=data, dry_run=args.dry_run)
    took = clock.perf_counter() - began
    print(f"database: {connection.vendor}; {len(data) / 1024 / 1024:.1f} MB CSV")
    print(f"{result.rows} rows -> {result.pins_created} pins ({result.scheduled} dated, {result.queued} queued), "
          f"{result.articles_created} articles{' (dry run)' if result.dry_run else ''}")
    print(f"import took {took:.2f} s: {result.rows / took:.0f} rows/s")
    stored = Pin.objects.filter(project=project).count()
    Pin.objects.filter(project=project).delete()
    tenant.delete()
    expected = 0 if args.dry_run else args.rows
    if result.rows != args.rows or result.pins_created != args.rows or stored != expected:
        sys.exit(f"expected {args.rows} rows and {expected} stored pins, got {result.rows} rows, "
                 f"{result.pins_created} counted and {stored} stored pins")


if __name__ == "__main__":
    main()
