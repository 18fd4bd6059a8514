"""What an article page says of itself: Open Graph, the Twitter card, JSON-LD (Article,
BlogPosting, NewsArticle, Recipe), the title and meta description, the canonical link, and the
images a pin could use.

BeautifulSoup over lxml's HTML parser: it reads the broken markup real pages have, and walking
tags is all these need. extruct was weighed (it adds microdata and RDFa) but brings rdflib and
four more packages for formats blogs rarely use; JSON-LD is read here with ``json``.
"""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

ARTICLE_TYPES = ("Article", "BlogPosting", "NewsArticle", "Recipe")
MAX_IMAGES = 12
MAX_JSON_LD_BYTES = 512 * 1024


@dataclass(frozen=True)
class PageMetadata:
    title: str = ""
    description: str = ""
    canonical_url: str = ""
    published: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    #: The raw sources, kept on the article: ``og``, ``twitter``, ``json_ld`` (the article's object).
    sources: dict[str, Any] = field(default_factory=dict)


def _metas(soup: BeautifulSoup, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        if not isinstance(tag, Tag):
            continue
        name = str(tag.get("property") or tag.get("name") or "").strip().lower()
        content = str(tag.get("content") or "").strip()
        if name.startswith(prefix) and content:
            found.setdefault(name[len(prefix):], []).append(content)
    return found


def _json_ld_objects(soup: BeautifulSoup) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        text = script.get_text() if isinstance(script, Tag) else ""
        if len(text) > MAX_JSON_LD_BYTES:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue  # a page's broken JSON-LD is its own problem; the other sources remain
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
    return objects


def _is_article(item: dict[str, Any]) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(kind in ARTICLE_TYPES for kind in kinds)


def _ld_images(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [str(value["url"])] if value.get("url") else []
    if isinstance(value, list):
        return [url for item in value for url in _ld_images(item)]
    return []


def _first(*values: Any) -> str:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _images(soup: BeautifulSoup, base: str, og: dict, twitter: dict, article: dict) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, url in enumerate(og.get("image", []) + og.get("image:url", [])):
        width, height = og.get("image:width", []), og.get("image:height", [])
        found.append({"url": url, "source": "og", "width": _int(width, index), "height": _int(height, index)})
    found += [{"url": url, "source": "json_ld"} for url in _ld_images(article.get("image"))]
    found += [{"url": url, "source": "twitter"} for url in twitter.get("image", []) + twitter.get("image:src", [])]
    body = soup.find("article") or soup.find("main") or soup.body or soup
    for img in body.find_all("img") if isinstance(body, Tag | BeautifulSoup) else []:
        src = str(img.get("src") or img.get("data-src") or "") if isinstance(img, Tag) else ""
        if src:
            found.append({"url": src, "source": "page", "width": _int([str(img.get("width", ""))], 0),
                          "height": _int([str(img.get("height", ""))], 0), "alt": str(img.get("alt") or "")})
    images, seen = [], set()
    for image in found:
        url = urljoin(base, image["url"].strip())
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            images.append({key: value for key, value in {**image, "url": url}.items() if value not in (None, "")})
    return images[:MAX_IMAGES]


def _int(values: list[str], index: int) -> int | None:
    try:
        return int(values[index])
    except (IndexError, ValueError):
        return None


def page_metadata(html: bytes, *, url: str) -> PageMetadata:
    """Read a page's metadata; whatever it lacks is empty. ``url`` resolves relative links."""
    soup = BeautifulSoup(html, "lxml")
    og, twitter = _metas(soup, "og:"), _metas(soup, "twitter:")
    article = next((item for item in _json_ld_objects(soup) if _is_article(item)), {})
    description_tag = soup.find("meta", attrs={"name": "description"})
    canonical_tag = soup.find("link", rel="canonical")
    title_tag = soup.find("title")
    canonical_url = _first(canonical_tag.get("href") if isinstance(canonical_tag, Tag) else "", og.get("url"))
    return PageMetadata(
        title=_first(og.get("title"), article.get("headline"), article.get("name"), twitter.get("title"),
                     title_tag.get_text() if title_tag else ""),
        description=_first(og.get("description"),
                           description_tag.get("content") if isinstance(description_tag, Tag) else "",
                           article.get("description"), twitter.get("description")),
        canonical_url=urljoin(url, canonical_url) if canonical_url else "",
        published=_first(article.get("datePublished"), og.get("article:published_time")),
        images=_images(soup, url, og, twitter, article),
        sources={"og": {k: v if len(v) > 1 else v[0] for k, v in og.items()},
                 "twitter": {k: v if len(v) > 1 else v[0] for k, v in twitter.items()},
                 "json_ld": article},
    )
