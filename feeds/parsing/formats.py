"""A feed body -> its kind and entries: RSS 2.0 and Atom (feedparser), JSON Feed (json), sitemap
(defusedxml).

XML is untrusted: before any parser sees it, defusedxml reads it with entity declarations and
external references forbidden, and a body that declares any is refused ("billion laughs",
external entities). feedparser on its own already drops external references
(``feature_external_ges`` off) and keeps only entities whose value is plain text
(``sanitizer.replace_doctype``), which defuses nested expansion too; the check makes the refusal
explicit and keeps it true whichever parser reads the body. feedparser is only ever given bytes
in a stream: handed a string, it may open it as a URL or a file.
"""

import io
import json
import time
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from feeds.parsing.entries import Entry, FeedError, ParsedFeed

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
JSON_FEED_VERSION = "https://jsonfeed.org/version/"


def _xml_root(body: bytes) -> Element | None:
    """The root element when the body is well-formed XML, None when it is not (feedparser's loose
    parser may still read it). Raises FeedError when it declares entities or external references."""
    try:
        return safe_fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"The feed declares XML entities or external references ({type(exc).__name__}); "
                        "refused, as they can expand without bound.") from exc
    except (ParseError, ValueError):
        return None


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip().lower()
    media_type = content_type.split(";")[0].strip().lower()
    return media_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html"))


def _when(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _feedparser_image(item: Any) -> str:
    for media in item.get("media_content", []) + item.get("media_thumbnail", []):
        if media.get("url"):
            return str(media["url"])
    for link in item.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href", ""))
    return ""


def _parse_rss_atom(body: bytes, content_type: str) -> ParsedFeed:
    result = feedparser.parse(io.BytesIO(body), response_headers={"content-type": content_type or "application/xml"})
    version = str(result.get("version") or "")
    if not version and not result.entries:
        if _looks_like_html(body, content_type):
            raise FeedError("The address answers with an HTML page, not a feed.")
        problem = result.get("bozo_exception")
        raise FeedError(f"Not a feed: the XML is malformed ({problem})." if problem else "Not a feed.")
    entries = []
    for item in result.entries:
        url = str(item.get("link") or "")
        if not url:
            continue
        summary = str(item.get("summary") or "")
        entries.append(Entry(
            url=url, guid=str(item.get("id") or ""), title=str(item.get("title") or ""), summary=summary,
            # dict.get: FeedParserDict.get maps a missing "updated" to "published" (and warns).
            published=_when(dict.get(item, "published_parsed")), updated=_when(dict.get(item, "updated_parsed")),
            image=_feedparser_image(item),
        ))
    kind = "atom" if version.startswith("atom") else "rss"
    return ParsedFeed(kind=kind, title=str(result.feed.get("title") or ""), entries=entries)


def _parse_json_feed(body: bytes) -> ParsedFeed:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"Not a JSON Feed: the JSON is malformed ({exc}).") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(JSON_FEED_VERSION):
        raise FeedError("Not a JSON Feed: no \"version\" of https://jsonfeed.org/version/1.1.")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("Not a JSON Feed: \"items\" is not a list.")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or item.get("external_url") or "")
        if not url:
            continue
        entries.append(Entry(
            url=url, guid=str(item.get("id") or ""), title=str(item.get("title") or ""),
            summary=str(item.get("summary") or item.get("content_text") or ""),
            published=_when(item.get("date_published")), updated=_when(item.get("date_modified")),
            image=str(item.get("image") or item.get("banner_image") or ""),
        ))
    return ParsedFeed(kind="json", title=str(document.get("title") or ""), entries=entries)


def _parse_sitemap(root: Element) -> ParsedFeed:
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        raise FeedError("This is a sitemap index; add one of the sitemaps it lists (the posts' one).")
    entries = []
    for node in root.iter(f"{SITEMAP_NS}url"):
        url = (node.findtext(f"{SITEMAP_NS}loc") or "").strip()
        if url:
            lastmod = _when((node.findtext(f"{SITEMAP_NS}lastmod") or "").strip())
            entries.append(Entry(url=url, updated=lastmod))
    # The newest first: the pages fetched per poll are the latest posts.
    entries.sort(key=lambda entry: entry.updated or datetime.min.replace(tzinfo=UTC), reverse=True)
    return ParsedFeed(kind="sitemap", entries=entries)


def parse_feed(body: bytes, *, content_type: str = "") -> ParsedFeed:
    """Read ``body`` as whichever kind of feed it is. ``content_type`` is the header as sent (its
    charset tells feedparser the encoding). Raises FeedError saying why it is none."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError("The feed is empty.")
    if stripped[:1] in (b"{", b"["):
        return _parse_json_feed(stripped)
    root = _xml_root(stripped)
    if root is not None and root.tag in (f"{SITEMAP_NS}urlset", f"{SITEMAP_NS}sitemapindex"):
        return _parse_sitemap(root)
    return _parse_rss_atom(stripped, content_type)
