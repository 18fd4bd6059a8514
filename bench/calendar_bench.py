#!/usr/bin/env python
"""The calendar benchmark: the planner's month view of a project with many pins (not a test).

    DATABASE_URL=... .venv/bin/python bench/calendar_bench.py [--sizes 200,2000] [--renders 21] [--quick]

Without ``DATABASE_URL`` it runs on a fresh SQLite file in a temporary folder; with one it uses that
database (give an empty one: it is migrated, and the bench's tenant is deleted at the end). It makes
a tenant with a member, a Pinterest account with a board, a project in Europe/Berlin posting at
9:00, 13:00 and 19:00 every day, and 40 drafts; then, for each size, that many pins spread over the
six weeks the current month's view shows (a third each image, carousel of three items and video
with a cover; those before now published, the rest scheduled). For each size it renders
``/planner/calendar/?view=month&project=<id>`` through Django's test client (signed in, DEBUG off,
the template cache warm after one render), ``--renders`` times, and prints the median and the
fastest server time, the median CPU time of this process (the server's Python, without the
database's; steadier than the wall time on a busy machine) and the number of queries of one render.

Target (issue 26): under 300 ms at 2,000 pins, and the same number of queries at every size. It
exits 1 when a render fails or the query count differs between sizes; a timing target missed only
prints MISSED (the machine is shared). ``--quick`` (CI's smoke check): 5 renders each.
See bench/README.md, "Calendar".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200,2000", help="pins in the month, comma-separated")
    parser.add_argument("--renders", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="a smoke check for CI: 5 renders each")
    args = parser.parse_args()
    if args.quick:
        args.renders = 5
    sizes = [int(size) for size in args.sizes.split(",")]
    load = os.getloadavg()[0]

    folder = tempfile.mkdtemp(prefix="calendar_bench_")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test runner does: one connection for every render, as a server's persistent one.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.DEBUG = False  # templates compiled and queries unlogged, as in production
    from django.contrib.auth import get_user_model

    from pinterest.models import Board, PinterestConnection
    from publishing.models import BlogArticle, BlogProject, CarouselItem, Membership, Pin, PinKind, PinStatus, Tenant
    from publishing.services.queue_slots import project_slots_replace

    tenant = Tenant.objects.create(name=f"Calendar bench {os.getpid()}")
    account = PinterestConnection.objects.create(
        tenant=tenant, pinterest_user_id=f"cal{os.getpid()}", username="bench", access_token="x", refresh_token="y"
    )
    board = Board.objects.create(connection=account, pinterest_board_id=f"cal{os.getpid()}", name="Recipes")
    project = BlogProject.objects.create(tenant=tenant, name="Bench", pinterest_connection=account,
                                        timezone="Europe/Berlin")
    project_slots_replace(project=project, slots=[(d, time(h)) for d in range(7) for h in (9, 13, 19)])
    article = BlogArticle.objects.create(project=project, url="https://blog.example.com/a", title="A")
    Pin.objects.bulk_create([Pin(project=project, article=article, board=board, title=f"Draft {n}",
                                 image=f"pins/draft{n}.png") for n in range(40)])
    client = Client(HTTP_HOST="localhost")
    member = get_user_model().objects.create_user(username=f"calendar-bench-{os.getpid()}")
    Membership.objects.create(user=member, tenant=tenant)
    client.force_login(member)
    url = f"/planner/calendar/?view=month&project={project.pk}"

    now = datetime.now(UTC)
    first = now.astimezone(project.zone).date().replace(day=1)
    grid_start = datetime.combine(first - timedelta(days=first.weekday()), time(6), tzinfo=project.zone)
    kinds = [PinKind.IMAGE, PinKind.CAROUSEL, PinKind.VIDEO]
    results: list[tuple[int, float, float, float, int]] = []
    made = 0
    try:
        for size in sizes:
            spacing = timedelta(days=42) / size
            pins = []
            for n in range(made, size):
                at = grid_start + spacing * n
                past = at < now
                pins.append(Pin(
                    project=project, article=article, board=board, kind=kinds[n % 3], title=f"Pin {n}: lemon cake",
                    image=f"pins/bench{n}.png" if n % 3 == 0 else "",
                    video=f"videos/bench{n}.mp4" if n % 3 == 2 else "",
                    cover_image_url="https://img.example.com/cover.jpg" if n % 3 == 2 else "",
                    status=PinStatus.PUBLISHED if past else PinStatus.READY_TO_SCHEDULE,
                    scheduled_at=at, published_at=at if past else None,
                ))
            Pin.objects.bulk_create(pins, batch_size=1000)
            CarouselItem.objects.bulk_create(
                [CarouselItem(pin=pin, position=p, image_url=f"https://img.example.com/{p}.jpg")
                 for pin in pins if pin.kind == PinKind.CAROUSEL for p in range(3)], batch_size=1000)
            made = size
            response = client.get(url)  # warms the template cache and the connection
            if response.status_code != 200:
                sys.exit(f"the month view answered {response.status_code} at {size} pins")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counted = len(queries)  # now: the next request empties the log (request_started)
            timings, cpu = [], []
            for _ in range(args.renders):
                began, began_cpu = clock.perf_counter(), clock.process_time()
                response = client.get(url)
                timings.append((clock.perf_counter() - began) * 1000)
                cpu.append((clock.process_time() - began_cpu) * 1000)
                if response.status_code != 200:
                    sys.exit(f"the month view answered {response.status_code} at {size} pins")
            results.append((size, statistics.median(timings), min(timings), statistics.median(cpu), counted))
            if os.environ.get("CALENDAR_BENCH_PROFILE"):
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(client.get, url)
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    finally:
        Pin.objects.filter(project=project).delete()
        tenant.delete()
        member.delete()

    print(f"database: {connection.vendor}; {args.renders} renders of {url} per size")
    print(f"load average at the start: {load:.1f} (wall times mean something on a quiet machine only)")
    print(f"{'pins':>6} {'median ms':>10} {'fastest ms':>11} {'median CPU ms':>14} {'queries':>8}")
    for size, median, fastest, cpu_median, count in results:
        verdict = "" if median < TARGET_MS else f"  MISSED (target {TARGET_MS} ms)"
        print(f"{size:>6} {median:>10.1f} {fastest:>11.1f} {cpu_median:>14.1f} {count:>8}{verdict}")
    counts = {count for *_rest, count in results}
    if len(counts) != 1:
        sys.exit(f"the query count grows with the pins: {sorted(counts)}")
    print(f"queries: {counts.pop()} at every size")


if __name__ == "__main__":
    main()
