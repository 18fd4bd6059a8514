"""Feeds' binding of ``pinpublisher.fetching`` (the fetch webhooks' rules guard): the address
rule with ``FEEDS_ALLOW_LOCAL_ADDRESSES``, the deadline, size and redirect limits of ``feeds.conf``.
Plain http is allowed (a feed carries no secret); the addresses are judged all the same."""

from feeds.conf import feeds_settings
from pinpublisher import addresses
from pinpublisher.addresses import IPAddress
from pinpublisher.fetching import Fetched, FetchPolicy, fetch

__all__ = ["Fetched", "feed_url_problem", "get"]

PURPOSE = "feeds are fetched from public addresses only"
USER_AGENT = "pinpublisher-feeds/1.0 (+feed reader)"
ACCEPT_FEED = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def _local() -> bool:
    return bool(feeds_settings.FEEDS_ALLOW_LOCAL_ADDRESSES)


def _judge(address: IPAddress) -> str | None:
    return addresses.address_problem(address, allow_local=_local())


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched (a feed's, a page's, a redirect's), or None."""
    return addresses.url_problem(url, allow_local=_local(), purpose=PURPOSE, allow_http=True)


def get(url: str, *, page: bool = False, etag: str = "", last_modified: str = "") -> Fetched:
    """GET a feed (or, with ``page``, an article page) under feeds' limits."""
    policy = FetchPolicy(
        judge=_judge, url_problem=feed_url_problem,
        deadline_seconds=float(feeds_settings.FEEDS_FETCH_DEADLINE_SECONDS),
        max_bytes=int(feeds_settings.FEEDS_MAX_BYTES), max_redirects=int(feeds_settings.FEEDS_MAX_REDIRECTS),
        connect_timeout=float(feeds_settings.FEEDS_CONNECT_TIMEOUT_SECONDS),
        read_timeout=float(feeds_settings.FEEDS_READ_TIMEOUT_SECONDS),
        user_agent=USER_AGENT, accept=ACCEPT_PAGE if page else ACCEPT_FEED,
    )
    return fetch(url, policy=policy, etag=etag, last_modified=last_modified)
