"""An article's image, opened as untrusted input and downscaled before anything is composed.

Only the header is read to judge it: more pixels than ``max_pixels`` (the publishing rule
``PIN_IMAGE_MAX_PIXELS``, passed in) or a side under ``min_side`` is refused with a reason, and the
template falls back. A JPEG is decoded at the smallest DCT scale that still covers the area it
fills (``Image.draft``: a 24-megapixel photo decodes as 1.5 megapixels and a few MB, though its
entropy decoding still reads the whole file); other formats decode whole, so they are refused
above ``max_decoded_pixels`` (the bound of issue 24 on what is decoded, publishing's
``PIN_IMAGE_CONVERTED_MAX_PIXELS``). The images of one design decode on threads (``cover_many``).
Pillow's own decompression-bomb guard stays on, its warning made an error.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

#: An image whose short side is under this many pixels is "tiny": it would look blurred on a pin.
MIN_SIDE = 300
#: Pixels at most of a non-JPEG image decoded whole: publishing's PIN_IMAGE_CONVERTED_MAX_PIXELS
#: default (issue 24's bound on what is decoded), and a decode of about 60 ms.
MAX_DECODED_PIXELS = 2_000_000
#: A JPEG may be decoded down to this share of the size it fills (then enlarged a little: unseen
#: at 1.25 times, and a 4 times cheaper decode when the next DCT scale would otherwise be needed).
DRAFT_MIN = 0.8
#: Pixels at most of any source (publishing's PIN_IMAGE_MAX_PIXELS default).
MAX_PIXELS = 40_000_000

ImageSource = str | Path | bytes


@dataclass(frozen=True)
class Loaded:
    """An image ready to compose (RGB, exactly ``size``), or None with the reason why not."""

    image: Image.Image | None
    reason: str = ""


def _open(source: ImageSource) -> Image.Image:
    """Pillow's bomb warning (over ``Image.MAX_IMAGE_PIXELS``) is an error here: refused, not drawn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if isinstance(source, bytes):
            return Image.open(io.BytesIO(source))
        return Image.open(source)


#: Threads that decode and resize the images of one design at once: Pillow releases the GIL in its
#: decoders and its resampling, so the four photos of a collage wait on two cores for about half
#: their CPU time (entropy-decoding a 24-megapixel JPEG still costs about 25 ms, whatever its scale).
DECODE_THREADS = 2

_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)


def cover(
    source: ImageSource,
    size: tuple[int, int],
    *,
    min_side: int = MIN_SIDE,
    max_pixels: int = MAX_PIXELS,
    max_decoded_pixels: int = MAX_DECODED_PIXELS,
) -> Loaded:
    """``source`` scaled and centre-cropped to fill ``size`` (RGB; transparency on white), or
    the reason it cannot be used (missing, not an image, tiny, too many pixels)."""
    return cover_many([(source, size)], min_side=min_side, max_pixels=max_pixels,
                      max_decoded_pixels=max_decoded_pixels)[0]


def cover_many(
    jobs: list[tuple[ImageSource, tuple[int, int]]],
    *,
    min_side: int = MIN_SIDE,
    max_pixels: int = MAX_PIXELS,
    max_decoded_pixels: int = MAX_DECODED_PIXELS,
    threads: int | None = None,
) -> list[Loaded]:
    """Each ``(source, size)`` of ``jobs`` as ``cover`` makes it, in order. The headers are read
    and judged here, one after the other (the bomb warning is made an error through the warnings
    filters, which are the process's, so never from a thread); the pixels are decoded and resized
    on up to ``threads`` threads, each image on one thread, so the bytes drawn do not depend on
    the threads. ``threads`` defaults to ``DECODE_THREADS``."""
    threads = DECODE_THREADS if threads is None else threads
    opened: list[Image.Image | Loaded] = [
        _judged(source, size, min_side=min_side, max_pixels=max_pixels, max_decoded_pixels=max_decoded_pixels)
        for source, size in jobs
    ]
    try:
        work = [(image, size) for image, (_, size) in zip(opened, jobs, strict=True) if isinstance(image, Image.Image)]
        if threads > 1 and len(work) > 1:
            with ThreadPoolExecutor(max_workers=min(threads, len(work)), thread_name_prefix="design") as pool:
                decoded = iter(list(pool.map(lambda job: _decoded(*job), work)))
        else:
            decoded = iter([_decoded(image, size) for image, size in work])
        return [next(decoded) if isinstance(image, Image.Image) else image for image in opened]
    finally:
        for image in opened:
            if isinstance(image, Image.Image):
                image.close()


def _judged(
    source: ImageSource, size: tuple[int, int], *, min_side: int, max_pixels: int, max_decoded_pixels: int
) -> Image.Image | Loaded:
    """``source`` opened (its header read, a JPEG's DCT scale chosen), or why it is refused."""
    try:
        image = _open(source)
    except FileNotFoundError:
        return Loaded(None, "the image file is missing")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Loaded(None, "the image has far too many pixels")
    except _UNREADABLE:
        return Loaded(None, "the file is not an image Pillow can read")
    width, height = image.size
    refused = ""
    if width * height > max_pixels:
        refused = f"the image is {width}x{height} px, over {max_pixels:,} pixels"
    elif min(width, height) < min_side:
        refused = f"the image is {width}x{height} px, under {min_side} px on a side"
    elif image.format == "JPEG":
        # The smallest DCT scale at least DRAFT_MIN of the cell (enlarged at most 1.25 times).
        scale = max(size[0] / width, size[1] / height)
        try:
            image.draft("RGB", (math.ceil(width * scale * DRAFT_MIN), math.ceil(height * scale * DRAFT_MIN)))
        except _UNREADABLE:
            refused = "the file is not an image Pillow can read"
    elif width * height > max_decoded_pixels:
        refused = (f"the {image.format} image is {width}x{height} px, "
                   f"over the {max_decoded_pixels:,} pixels decoded for a design")
    if refused:
        image.close()
        return Loaded(None, refused)
    return image


def _decoded(image: Image.Image, size: tuple[int, int]) -> Loaded:
    try:
        image.load()
        return Loaded(_composable(image, size))
    except _UNREADABLE:
        return Loaded(None, "the file is not an image Pillow can read")


def _composable(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.getexif().get(0x0112, 1) != 1:  # a camera's orientation tag: turn the pixels upright
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # Centre crop to the cell's shape, resized in one pass. ``reducing_gap=1.0``: an image over twice
    # the cell is first box-reduced by a whole factor, then resampled: half the CPU of 2.0 for a
    # 1400 px PNG into a collage cell (9 ms, not 17), within 0.5 of 255 of a fair resample on average.
    width, height = image.size
    scale = max(size[0] / width, size[1] / height)
    crop_w, crop_h = min(width, size[0] / scale), min(height, size[1] / scale)
    left, top = max(0.0, (width - crop_w) / 2), max(0.0, (height - crop_h) / 2)
    return image.resize(size, Image.Resampling.BICUBIC, box=(left, top, left + crop_w, top + crop_h),
                        reducing_gap=1.0)


def contain(source: ImageSource, size: tuple[int, int], *, max_pixels: int = MAX_DECODED_PIXELS) -> Image.Image | None:
    """A logo scaled to fit inside ``size`` keeping its shape (RGBA), or None when unusable."""
    try:
        with _open(source) as image:
            if image.size[0] * image.size[1] > max_pixels:
                return None
            image.draft("RGBA", size)
            logo = image.convert("RGBA")
    except (FileNotFoundError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        return None
    logo.thumbnail(size, Image.Resampling.BICUBIC)
    return logo
