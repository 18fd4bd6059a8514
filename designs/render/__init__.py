"""Pin images made from an article: a title, the article's images and the project's style in,
deterministic PNG bytes out (1000x1500, Pinterest's 2:3).

Pure: it imports nothing of Django or the project, so it is tested and benchmarked alone, and the
app's services hand it plain values (the title, image files or bytes, a ``Style``). A template
that needs images the article does not have (none, or only tiny, unreadable or oversized ones)
falls back: a collage with one usable image to ``photo_band``, any image template with none to
``text``, and the result says which template was drawn and why.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from designs.render.images import MAX_DECODED_PIXELS, MAX_PIXELS, ImageSource, cover
from designs.render.templates import SIZE, TEMPLATES, Canvas, Style, TemplateSpec

__all__ = ["SIZE", "TEMPLATES", "DesignInput", "Rendered", "Style", "render"]

#: zlib level and strategy of the PNG (Z_RLE): encoding is most of a photo design's time (PNG's
#: per-row filters on 1.5 megapixels); level 1 with run-length matching is as fast as any setting
#: for photos (about 1.6 MB) and keeps flat-colour designs small (about 75 KB, level 6 saves 10%
#: for 40% more time). Pinterest takes images up to 20 MB.
PNG_COMPRESS_LEVEL = 1
PNG_STRATEGY_RLE = 3


@dataclass(frozen=True)
class DesignInput:
    title: str
    images: tuple[ImageSource, ...] = ()
    style: Style = Style()
    max_pixels: int = MAX_PIXELS
    max_decoded_pixels: int = MAX_DECODED_PIXELS


@dataclass(frozen=True)
class Rendered:
    """A design: its PNG, the template drawn (``requested`` unless it fell back, ``fallback``
    saying why), characters no font had (left out), and whether the title was cut."""

    png: bytes
    template: str
    requested: str
    fallback: str = ""
    missing_chars: tuple[str, ...] = ()
    ellipsised: bool = False


def _usable(
    spec: TemplateSpec, sources: tuple[ImageSource, ...], design: DesignInput
) -> tuple[list[Image.Image], list[str]]:
    """The images ``spec`` composes, each covering its cell, and why the others were left out.
    The cells depend on how many images there are (a collage of 3 is laid out unlike one of 4),
    so when some fail the usable ones are covered again for the smaller layout."""
    count = min(len(sources), spec.max_images)
    sizes = spec.cells(max(count, spec.min_images))
    images: list[Image.Image] = []
    kept: list[ImageSource] = []
    reasons: list[str] = []
    for source in sources:
        if len(images) == len(sizes):
            break
        loaded = cover(source, sizes[len(images)], max_pixels=design.max_pixels,
                       max_decoded_pixels=design.max_decoded_pixels)
        if loaded.image is None:
            reasons.append(loaded.reason)
        else:
            images.append(loaded.image)
            kept.append(source)
    if spec.min_images <= len(images) < len(sizes):
        return _usable(spec, tuple(kept), design)[0], reasons
    return images, reasons


def _choose(template: str, design: DesignInput) -> tuple[TemplateSpec, list[Image.Image], str]:
    spec = TEMPLATES[template]
    if not spec.min_images:
        return spec, [], ""
    images, reasons = _usable(spec, design.images, design)
    if len(images) >= spec.min_images:
        return spec, images, ""
    why = reasons[0] if reasons else "the article has no image"
    if images and spec.name == "collage":
        fallback = TEMPLATES["photo_band"]
        images = _usable(fallback, design.images, design)[0]
        return fallback, images, f"a collage needs 2 usable images ({why})"
    return TEMPLATES["text"], [], f"no usable image: {why}"


def render(template: str, design: DesignInput) -> Rendered:
    """``design`` drawn with ``template`` (a name in ``TEMPLATES``; KeyError otherwise)."""
    spec, images, fallback = _choose(template, design)
    canvas = Canvas(design.style)
    spec.draw(canvas, design.title, images)
    buffer = io.BytesIO()
    canvas.image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, compress_type=PNG_STRATEGY_RLE)
    missing = tuple(dict.fromkeys(c for fitted in canvas.fitted for c in fitted.missing))
    return Rendered(
        png=buffer.getvalue(),
        template=spec.name,
        requested=template,
        fallback=fallback,
        missing_chars=missing,
        ellipsised=any(fitted.ellipsised for fitted in canvas.fitted),
    )
