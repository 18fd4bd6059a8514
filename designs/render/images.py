"""An article's image, opened as untrusted input and downscaled before anything is composed.

Only the header is read to judge it: more pixels than ``max_pixels`` (the publishing rule
``PIN_IMAGE_MAX_PIXELS``, passed in) or a side under ``min_side`` is refused with a reason, and the
template falls back. A JPEG is decoded at the smallest DCT scale that still covers the area it
fills (``Image.draft``: a 24-megapixel photo decodes as 1.5 megapixels, in a few milliseconds and
a few MB); other formats decode whole, so they are refused above ``max_decoded_pixels`` (the
bound of issue 24 on what is decoded, publishing's ``PIN_IMAGE_CONVERTED_MAX_PIXELS``).
Pillow's own decompression-bomb guard stays on, its warning made an error.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
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
    try:
        with _open(source) as image:
            width, height = image.size
            if width * height > max_pixels:
                return Loaded(None, f"the image is {width}x{height} px, over {max_pixels:,} pixels")
            if min(width, height) < min_side:
                return Loaded(None, f"the image is {width}x{height} px, under {min_side} px on a side")
            scale = max(size[0] / width, size[1] / height)
            if image.format == "JPEG":
                # The smallest DCT scale at least DRAFT_MIN of the cell (enlarged at most 1.25 times).
                image.draft("RGB", (math.ceil(width * scale * DRAFT_MIN), math.ceil(height * scale * DRAFT_MIN)))
            elif width * height > max_decoded_pixels:
                return Loaded(None, f"the {image.format} image is {width}x{height} px, "
                                    f"over the {max_decoded_pixels:,} pixels decoded for a design")
            image.load()
            return Loaded(_composable(image, size))
    except FileNotFoundError:
        return Loaded(None, "the image file is missing")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Loaded(None, "the image has far too many pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
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
    # Centre crop to the cell's shape, resized in one pass (``reducing_gap``: a fast box reduction first).
    width, height = image.size
    scale = max(size[0] / width, size[1] / height)
    crop_w, crop_h = min(width, size[0] / scale), min(height, size[1] / scale)
    left, top = max(0.0, (width - crop_w) / 2), max(0.0, (height - crop_h) / 2)
    return image.resize(size, Image.Resampling.BICUBIC, box=(left, top, left + crop_w, top + crop_h),
                        reducing_gap=2.0)


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
