#!/usr/bin/env python
"""The feeds benchmark: can 1,000 projects' feeds be polled within the 30-minute window? (not a test)

    .venv/bin/python bench/feeds_bench.py [--projects 1000] [--posts 3] [--changed 0.1] [--workers 4]
        [--quick]

It uses ``$DATABASE_URL`` when set (bench/quick.sh gives each benchmark a fresh database), else it
creates ``pp_feeds_bench_<pid>`` on ``postgres://postgres@127.0.0.1:5432`` (or
``$BENCH_POSTGRES_URL``), migrates it, and drops it at the end. A local blog server
(``python -m feeds.devserver``, a separate process, threaded) serves ``--projects`` blogs (RSS,
Atom, JSON Feed and sitemaps in turn, ``--posts`` posts each, ETag and Last-Modified on every
answer); each project gets one feed.

Then two polls of every feed, through the service the django-q2 task calls: ``feeds_claim_due``
leases the due feeds (as ``poll_due_feeds`` does every minute) and ``--workers`` threads call
``feed_poll`` on them, as the cluster's workers do (each with its own database connection):

1. cold: every feed is new, every post's page is fetched for its metadata and becomes an article;
2. steady state: ``--changed`` of the blogs published one new post since; the others answer 304.

For each it prints the wall time against the 30-minute window (FEEDS_POLL_MINUTES), the fetches
per second (feeds and pages), the share of 304s, and the articles made. It exits 1 when an
article is missing or duplicated, or a poll does not fit its window. See bench/README.md, "Feeds".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"


def _database() -> tuple[str, str | None]:
    """The database URL to use, and the name to drop afterwards (None: not ours)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES).rstrip("/")
    name = f"pp_feeds_bench_{os.getpid()}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    return f"{server}/{name}", name


def _drop(name: str | None) -> None:
    if name:
        server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES).rstrip("/")
        subprocess.run(["psql", f"{server}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       check=False)


def _start_blogs(projects: int, posts: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds.devserver", "--blogs", str(projects), "--posts", str(posts)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _poll_all(workers: int) -> tuple[float, list]:
    from django.db import connection

    from feeds.services.polling import feed_poll, feeds_claim_due

    def poll(feed_id: int) -> object:
        try:
            return feed_poll(feed_id=feed_id)
        finally:
            connection.close()  # each worker thread's own connection, as a worker process has

    started = time.monotonic()
    ids = feeds_claim_due(limit=100_000)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        reports = list(pool.map(poll, ids))
    return time.monotonic() - started, reports


def _report(title: str, seconds: float, reports: list, requests: int, window_minutes: float) -> bool:
    outcomes: dict[str, int] = {}
    for report in reports:
        outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1
    created = sum(r.counts.get("created", 0) for r in reports)
    window = window_minutes * 60
    print(f"{title}: {len(reports)} feeds in {seconds:.1f} s ({seconds / window:.1%} of the "
          f"{window_minutes:g}-minute window)")
    print(f"  fetches: {requests} ({requests / seconds:.0f}/s: feeds and article pages); "
          f"304: {outcomes.get('not_modified', 0)} of {len(reports)} feeds "
          f"({outcomes.get('not_modified', 0) / max(len(reports), 1):.1%}); "
          f"failed: {outcomes.get('failed', 0)}; articles created: {created}")
    for report in reports:
        if report.outcome == "failed":
            print(f"  {report.summary()}")
            break
    return seconds < window and not outcomes.get("failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=3)
    parser.add_argument("--changed", type=float, default=0.1, help="Share of blogs with a new post in round 2.")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("Q_WORKERS", 4)))
    parser.add_argument("--quick", action="store_true", help="100 projects, 2 posts (CI's smoke check).")
    args = parser.parse_args()
    if args.quick:
        args.projects, args.posts = 100, 2

    url, ours = _database()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["FEEDS_ALLOW_LOCAL_ADDRESSES"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpublisher.settings")
    server, base = None, ""
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from feeds.conf import feeds_settings
        from feeds.devserver import FEED_PATHS
        from feeds.models import Feed
        from publishing.models import BlogArticle, BlogProject, Tenant

        server, base = _start_blogs(args.projects, args.posts)
        tenant = Tenant.objects.create(name=f"Feeds bench {os.getpid()}")
        kinds = list(FEED_PATHS)
        projects = BlogProject.objects.bulk_create(
            [BlogProject(tenant=tenant, name=f"Blog {i}") for i in range(args.projects)])
        Feed.objects.bulk_create([
            Feed(project=project, url=f"{base}/b{i}/{FEED_PATHS[kinds[i % len(kinds)]]}")
            for i, project in enumerate(projects)])
        window = float(feeds_settings.FEEDS_POLL_MINUTES)
        print(f"{args.projects} projects, one feed each ({', '.join(kinds)} in turn), {args.posts} posts per blog, "
              f"{args.workers} workers; local blog server at {base}")

        seconds, reports = _poll_all(args.workers)
        requests = len(reports) + sum(sum(r.counts.values()) for r in reports)
        ok = _report("cold (every post new)", seconds, reports, requests, window)
        expected = args.projects * args.posts
        ok &= BlogArticle.objects.count() == expected

        changed = max(1, int(args.projects * args.changed))
        for index in range(changed):
            urllib.request.urlopen(urllib.request.Request(f"{base}/_publish/b{index}", method="POST")).close()
        Feed.objects.update(next_poll_at=Feed.objects.model._meta.get_field("next_poll_at").default())
        seconds, reports = _poll_all(args.workers)
        requests = len(reports) + sum(sum(r.counts.values()) for r in reports)
        ok &= _report(f"steady state ({changed} blogs with a new post)", seconds, reports, requests, window)
        articles = BlogArticle.objects.count()
        print(f"articles: {articles} (expected {expected + changed})")
        ok &= articles == expected + changed
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        _drop(ours)


if __name__ == "__main__":
    sys.exit(main())
