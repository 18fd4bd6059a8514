"""Rendered designs kept in Django's cache, keyed by everything that decides their bytes.

The planner's designs page shows every design of an article on each load, and a render costs tens
of milliseconds of CPU (decoding the article's photos most of it): a reload, another card added
or the full-size image after its thumbnail would draw the same pixels again. A design is a pure
function of its ``DesignInput`` and template, so its key is a digest of the template, the variant,
the title, the style, the pixel bounds, ``RENDERER_VERSION`` and each image source's identity: a
file's path, size and modification time (a replaced file is another key), or the digest of bytes.
A source that cannot be looked at (a missing file) still gives a key: its render falls back, and
the fallback is what is cached until the file appears (its stat changes the key).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import fields

from django.core.cache import caches

from designs.conf import designs_settings
from designs.render import RENDERER_VERSION, DesignInput, Rendered, render
from designs.render.images import ImageSource

_PREFIX = "designs:render"


def _source_identity(source: ImageSource | None) -> str:
    if source is None:
        return "-"
    if isinstance(source, bytes):
        return "bytes:" + hashlib.sha256(source).hexdigest()
    path = os.fspath(source)
    try:
        stat = os.stat(path)
    except OSError:
        return f"path:{path}:missing"
    return f"path:{path}:{stat.st_size}:{stat.st_mtime_ns}"


def design_cache_key(*, template: str, variant: int, design: DesignInput) -> str:
    """The cache key of ``design`` drawn with ``template``: equal exactly when the render is."""
    style = design.style
    parts = [
        str(RENDERER_VERSION), template, str(variant), design.title,
        # Every field of the style (a field added later is in the key by itself), the logo by identity.
        *(_source_identity(style.logo) if item.name == "logo" else repr(getattr(style, item.name))
          for item in fields(style)),
        str(design.max_pixels), str(design.max_decoded_pixels),
        *(_source_identity(source) for source in design.images),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{_PREFIX}:{digest}"


def render_cached(*, template: str, variant: int, design: DesignInput) -> Rendered:
    """``render(template, design)``, from the cache when the same inputs were drawn before
    (``DESIGNS_CACHE_SECONDS``; 0 renders every time)."""
    seconds = designs_settings.DESIGNS_CACHE_SECONDS
    if not seconds:
        return render(template, design)
    cache = caches[designs_settings.DESIGNS_CACHE]
    key = design_cache_key(template=template, variant=variant, design=design)
    cached = cache.get(key)
    if isinstance(cached, Rendered):
        return cached
    rendered = render(template, design)
    cache.set(key, rendered, seconds)
    return rendered
