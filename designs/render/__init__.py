"""Pin images made from an article: a title, the article's images and the project's style in,
deterministic image bytes out (1000x1500, Pinterest's 2:3): a JPEG when the design shows a photo,
a PNG when it is text on flat colour.

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

from designs.render.images import MAX_DECODED_PIXELS, MAX_PIXELS, ImageSource, Loaded, cover, cover_many
from designs.render.templates import SIZE, TEMPLATES, Canvas, Style, TemplateSpec

__all__ = ["RENDERER_VERSION", "SIZE", "TEMPLATES", "DesignInput", "Rendered", "Style", "render"]

#: Bumped whenever the same input draws other bytes (a template, a font, an encoder setting): it is
#: part of every cached design's key, so old renders are never served after a change.
RENDERER_VERSION = 3

#: A design with a photo is a JPEG: PNG's per-row filters and zlib took about 100 ms of CPU on
#: 1.5 megapixels of photo (even at level 1 with run-length matching; level 0 still 50 ms and
#: 4.4 MB), a JPEG 5 ms and 200 KB. Pinterest takes both (``image/jpeg`` and ``image/png`` in its
#: OpenAPI's media types) and re-encodes pins as JPEG anyway. Quality 90 without chroma
#: subsampling (4:4:4) keeps the title's edges and the red accent clean; libjpeg's output is the
#: same bytes for the same pixels and settings, so a design stays deterministic.
JPEG_OPTIONS = {"quality": 90, "subsampling": 0}
#: Text on flat colour stays a PNG (sharp edges, about 75 KB): zlib level 1 with run-length
#: matching (Z_RLE) is the fastest setting and level 6 saves only 10% for 40% more time.
PNG_OPTIONS = {"compress_level": 1, "compress_type": 3}


@dataclass(frozen=True)
class DesignInput:
    title: str
    images: tuple[ImageSource, ...] = ()
    style: Style = Style()
    max_pixels: int = MAX_PIXELS
    max_decoded_pixels: int = MAX_DECODED_PIXELS


@dataclass(frozen=True)
class Rendered:
    """A design: its image (``data``, a ``media_type``), the template drawn (``requested`` unless
    it fell back, ``fallback`` saying why), characters no font had (left out), and whether the
    title was cut."""

    data: bytes
    media_type: str
    template: str
    requested: str
    fallback: str = ""
    missing_chars: tuple[str, ...] = ()
    ellipsised: bool = False

    @property
    def extension(self) -> str:
        return "jpg" if self.media_type == "image/jpeg" else "png"


def _usable(
    spec: TemplateSpec, sources: tuple[ImageSource, ...], design: DesignInput,
    covered: dict[tuple[int, tuple[int, int]], Loaded] | None = None,
) -> tuple[list[Image.Image], list[str]]:
    """The images ``spec`` composes, each covering its cell, and why the others were left out.
    The cells depend on how many images there are (a collage of 3 is laid out unlike one of 4),
    so when some fail the usable ones are covered again for the smaller layout. The first cells'
    images are covered at once (``cover_many``, on threads); the rest, needed only when one of
    them is refused, one by one (``covered`` keeps what was already made, by source and size)."""
    count = min(len(sources), spec.max_images)
    sizes = spec.cells(max(count, spec.min_images))
    limits = {"max_pixels": design.max_pixels, "max_decoded_pixels": design.max_decoded_pixels}
    if covered is None:
        first = list(zip(sources, sizes, strict=False))
        covered = {(id(source), size): loaded
                   for (source, size), loaded in zip(first, cover_many(first, **limits), strict=True)}
    images: list[Image.Image] = []
    kept: list[ImageSource] = []
    reasons: list[str] = []
    for source in sources:
        if len(images) == len(sizes):
            break
        size = sizes[len(images)]
        loaded = covered.get((id(source), size)) or cover(source, size, **limits)
        covered[(id(source), size)] = loaded
        if loaded.image is None:
            reasons.append(loaded.reason)
        else:
            images.append(loaded.image)
            kept.append(source)
    if spec.min_images <= len(images) < len(sizes):
        return _usable(spec, tuple(kept), design, covered)[0], reasons
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
    if images:
        canvas.image.save(buffer, format="JPEG", **JPEG_OPTIONS)
    else:
        canvas.image.save(buffer, format="PNG", **PNG_OPTIONS)
    missing = tuple(dict.fromkeys(c for fitted in canvas.fitted for c in fitted.missing))
    return Rendered(
        data=buffer.getvalue(),
        media_type="image/jpeg" if images else "image/png",
        template=spec.name,
        requested=template,
        fallback=fallback,
        missing_chars=missing,
        ellipsised=any(fitted.ellipsised for fitted in canvas.fitted),
    )
