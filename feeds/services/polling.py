"""Polling feeds: claim the due ones, poll one, turn its new and edited entries into articles.

- ``feeds_claim_due`` moves each due feed's ``next_poll_at`` past the longest a poll can take (a
  lease) in one transaction, rows locked with SKIP LOCKED on PostgreSQL, so two schedulers or
  workers never poll one feed at once, and a worker that dies leaves the feed to the next claim.
- ``feed_poll`` makes one conditional GET (``feeds.fetcher``: the address rules, a deadline, a
  size limit), so one feed's trouble never holds up another's for more than its deadline.
  A 304 or an unchanged entry costs nothing more; a new or edited entry's page is fetched for
  its metadata (at most ``FEEDS_PAGES_PER_POLL`` per poll, the rest on a poll a minute later)
  and handed to publishing (``article_upsert_from_feed``), which never duplicates an article.
- A failure (transport, status, not a feed) is recorded with its reason, and the next poll
  waits ``FEEDS_POLL_MINUTES * 2 ** failures`` minutes, at most ``FEEDS_BACKOFF_MAX_MINUTES``.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feeds import fetcher
from feeds.conf import feeds_settings
from feeds.models import Feed, FeedKind
from feeds.parsing import Entry, FeedError, PageMetadata, canonical, page_metadata, parse_feed
from feeds.selectors import feeds_due
from publishing.services.content.feed_articles import FeedArticle, article_upsert_from_feed


@dataclass
class PollReport:
    feed_id: int
    outcome: str = "ok"  # ok | not_modified | failed | gone
    error: str = ""
    entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    deferred: bool = False

    def summary(self) -> str:
        if self.outcome == "failed":
            return f"Feed {self.feed_id}: failed: {self.error}"
        if self.outcome in ("not_modified", "gone"):
            return f"Feed {self.feed_id}: {self.outcome.replace('_', ' ')}."
        counted = ", ".join(f"{count} {name}" for name, count in sorted(self.counts.items())) or "nothing new"
        return f"Feed {self.feed_id}: {self.entries} entries, {counted}{' (more next poll)' if self.deferred else ''}."


def lease_seconds() -> float:
    """How long a claimed feed is held: its fetch and each page's taking their whole deadline."""
    return float(feeds_settings.FEEDS_FETCH_DEADLINE_SECONDS) * (1 + int(feeds_settings.FEEDS_PAGES_PER_POLL)) + 60


def backoff(failures: int) -> timedelta:
    """The wait after ``failures`` failures in a row (0: the normal interval)."""
    minutes = float(feeds_settings.FEEDS_POLL_MINUTES) * 2 ** min(failures, 20)
    return timedelta(minutes=min(minutes, float(feeds_settings.FEEDS_BACKOFF_MAX_MINUTES)))


def feeds_claim_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The ids of up to ``limit`` due feeds, each leased to the caller."""
    now = now or timezone.now()
    with transaction.atomic():
        # SKIP LOCKED before LIMIT: a second claimer at the same moment takes the next feeds.
        ids = list(feeds_due(now=now).select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        Feed.objects.filter(pk__in=ids).update(next_poll_at=now + timedelta(seconds=lease_seconds()))
    return ids


def _status_problem(status_code: int | None, what: str = "feed") -> str:
    try:
        phrase = HTTPStatus(status_code or 0).phrase
    except ValueError:
        phrase = ""
    return f"The {what} answered {status_code} {phrase}".rstrip() + "."


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split()) if "<" in html else html.strip()


def _page(entry: Entry) -> tuple[PageMetadata, str]:
    fetched = fetcher.get(entry.url, page=True)
    if not fetched.ok:
        return PageMetadata(), fetched.error or _status_problem(fetched.status_code, "page")
    return page_metadata(fetched.body, url=fetched.url), ""


def _article(entry: Entry) -> FeedArticle:
    page, problem = _page(entry)
    # A page may name its canonical address on its own site only: another site's (or another
    # post's on a shared host) could otherwise take over an article it does not own.
    claimed = page.canonical_url
    same_host = claimed and urlsplit(claimed).hostname == urlsplit(entry.url).hostname
    images = ([{"url": entry.image, "source": "feed"}] if entry.image else []) + [
        image for image in page.images if image["url"] != entry.image]
    metadata = {**page.sources, **({"page_error": problem} if problem else {})}
    return FeedArticle(
        url=entry.url, canonical_url=canonical(claimed if same_host else entry.url), guid=entry.guid,
        title=entry.title.strip() or page.title, description=page.description or _text(entry.summary)[:1000],
        published_at=entry.published or entry.updated, metadata=metadata, image_candidates=images,
    )


def _record(feed: Feed, **values: object) -> None:
    # Filtered on the address polled: a feed edited meanwhile keeps the edit (and is polled at once).
    Feed.objects.filter(pk=feed.pk, url=feed.url).update(last_polled_at=timezone.now(), **values)


def _fail(feed: Feed, report: PollReport, error: str, now: datetime) -> PollReport:
    failures = feed.consecutive_failures + 1
    _record(feed, consecutive_failures=failures, last_error=error[:1000], next_poll_at=now + backoff(failures))
    report.outcome, report.error = "failed", error
    return report


def _take(feed: Feed, entries: list[Entry], report: PollReport) -> dict[str, str]:
    seen, budget = dict(feed.seen), int(feeds_settings.FEEDS_PAGES_PER_POLL)
    for entry in entries:
        fingerprint = entry.fingerprint()
        if seen.get(entry.key) == fingerprint:
            continue
        if budget <= 0:
            report.deferred = True
            break
        budget -= 1
        try:
            _, outcome = article_upsert_from_feed(project_id=feed.project_id, entry=_article(entry))
        except ValidationError:
            outcome = "skipped"
        report.counts[outcome] = report.counts.get(outcome, 0) + 1
        seen[entry.key] = fingerprint
    keys = {entry.key for entry in entries}
    return {key: value for key, value in seen.items() if key in keys}


def feed_poll(*, feed_id: int, now: datetime | None = None) -> PollReport:
    """Poll one feed now and record how it went (see the module's docstring)."""
    now = now or timezone.now()
    report = PollReport(feed_id=feed_id)
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None:
        report.outcome = "gone"
        return report
    fetched = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    if fetched.not_modified:
        _record(feed, consecutive_failures=0, last_error="", last_ok_at=now, next_poll_at=now + backoff(0))
        report.outcome = "not_modified"
        return report
    if fetched.error or not fetched.ok:
        return _fail(feed, report, fetched.error or _status_problem(fetched.status_code), now)
    try:
        parsed = parse_feed(fetched.body, content_type=fetched.headers.get("content-type", ""))
    except FeedError as exc:
        return _fail(feed, report, str(exc), now)
    if feed.kind not in (FeedKind.AUTO, parsed.kind):
        return _fail(feed, report, f"Expected {feed.get_kind_display()}, found {FeedKind(parsed.kind).label}.", now)
    report.entries = len(parsed.entries)
    seen = _take(feed, parsed.entries, report)
    # Entries left for later: the next poll must read the whole feed again, not be told "304".
    etag, modified = ("", "") if report.deferred else (
        fetched.headers.get("etag", "")[:500], fetched.headers.get("last-modified", "")[:100])
    _record(
        feed, consecutive_failures=0, last_error="", last_ok_at=now, detected_kind=parsed.kind, seen=seen,
        etag=etag, last_modified=modified,
        next_poll_at=now + (timedelta(minutes=1) if report.deferred else backoff(0)),
        articles_created=feed.articles_created + report.counts.get("created", 0),
        articles_updated=feed.articles_updated + report.counts.get("updated", 0),
    )
    return report
