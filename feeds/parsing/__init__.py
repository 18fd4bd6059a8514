"""Reading what a feed server sent: which kind of feed it is, its entries (``formats``), and what
an article page says of itself (``metadata``). Pure: bytes in, values out; no HTTP, no models.

The parsers are libraries, not regular expressions: feedparser for RSS and Atom (it copes with
the malformed feeds real blogs serve), ``json`` for JSON Feed, defusedxml for sitemaps and for the
entity check every XML body passes first, BeautifulSoup over lxml for pages.
"""

from feeds.parsing.entries import Entry, FeedError, ParsedFeed
from feeds.parsing.formats import parse_feed
from feeds.parsing.metadata import PageMetadata, page_metadata
from feeds.parsing.urls import canonical

__all__ = ["Entry", "FeedError", "PageMetadata", "ParsedFeed", "canonical", "page_metadata", "parse_feed"]
