"""The sizes of carousel images given by URL, for the stand-in's "same dimensions" check.

Pinterest fetches every image of a carousel and refuses mixed sizes. The stand-in only
fetches from this machine (the demo's Django server, a test's own server, the stand-in's
host); any other URL, or one it cannot read, is left out and not checked. The fetching
happens before the state lock is taken, so a slow or self-pointing URL never blocks
the stand-in.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

FETCH_TIMEOUT_SECONDS = 3.0
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def local_image_sizes(raw_body: bytes, host_header: str) -> dict[str, tuple[int, int]]:
    """``{url: (width, height)}`` of the ``multiple_image_urls`` items of a PinCreate body
    that point at this machine (or at ``host_header``'s host) and could be read as images."""
    try:
        body = json.loads(raw_body or b"null")
    except (ValueError, UnicodeDecodeError):
        return {}
    source = body.get("media_source") if isinstance(body, dict) else None
    if not isinstance(source, dict) or source.get("source_type") != "multiple_image_urls":
        return {}
    items = source.get("items")
    if not isinstance(items, list):
        return {}
    own_host = urlsplit(f"//{host_header}").hostname
    sizes = {}
    for item in items[:5]:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url not in sizes and _is_local(url, own_host):
            size = _fetch_size(url)
            if size is not None:
                sizes[url] = size
    return sizes


def _is_local(url: str, own_host: str | None) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.hostname or ""
    return host in _LOCAL_HOSTS or host.endswith(".localhost") or (bool(own_host) and host == own_host)


def _fetch_size(url: str) -> tuple[int, int] | None:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (http(s) only)
            data = response.read(MAX_IMAGE_BYTES)
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height
    except (OSError, ValueError, urllib.error.URLError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
