"""Build the body of Pinterest's ``POST /v5/pins`` (the PinCreate schema). Pure: no ORM, no HTTP.

The limits come from Pinterest's OpenAPI description (PinCreate, API 5.23.0;
https://developers.pinterest.com/docs/api/v5/pins-create/): title <= 100 characters,
description <= 800, alt_text <= 500, link <= 2048, board_id ``^\\d+$``. Text that is too
long is cut, not refused. Lengths count code points, as JSON Schema's ``maxLength`` does;
a UTF-16 surrogate pair that arrives as two code points is joined first, so a cut never
leaves half of one (lone surrogates become U+FFFD: they cannot be sent as UTF-8).

``media_source`` is ``image_url`` when a public https URL is given, otherwise
``image_base64``: JPEG and PNG bytes go as they are; any other image Pillow can read is
converted, to PNG when it has transparency or a palette (GIF, most WebP graphics), to
JPEG otherwise (photos).
"""

import base64
import io
import re
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

TITLE_MAX = 100
DESCRIPTION_MAX = 800
ALT_TEXT_MAX = 500
LINK_MAX = 2048

_BOARD_ID = re.compile(r"[0-9]+")
_SENT_AS_IS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
_JPEG_QUALITY = 90


class PayloadError(ValueError):
    """The pin cannot be turned into a valid create-pin request; the message says why."""


def build_pin_create(
    *,
    board_id: str,
    title: str = "",
    description: str = "",
    alt_text: str = "",
    link: str = "",
    image_url: str | None = None,
    image_bytes: bytes | None = None,
) -> dict:
    """Return the PinCreate dict for ``PinterestClient.create_pin``.

    Empty optional fields are left out. ``image_url`` wins over ``image_bytes``.
    Raises ``PayloadError`` for a missing or non-numeric board id, a missing image, an
    image URL that is not https, and image bytes that are not a readable image.
    """
    if not board_id:
        raise PayloadError("Pin must have a Pinterest board assigned")
    if not isinstance(board_id, str) or not _BOARD_ID.fullmatch(board_id):
        raise PayloadError(f"Board id must be a numeric string, got {board_id!r}")

    payload = {"board_id": board_id}
    for name, value, limit in (
        ("title", title, TITLE_MAX),
        ("description", description, DESCRIPTION_MAX),
        ("alt_text", alt_text, ALT_TEXT_MAX),
        ("link", link, LINK_MAX),
    ):
        text = truncate(clean_text(value).strip(), limit)
        if text:
            payload[name] = text
    payload["media_source"] = _media_source(image_url=image_url, image_bytes=image_bytes)
    return payload


def clean_text(value) -> str:
    """``value`` as a string of whole code points: surrogate pairs joined, lone ones replaced."""
    if value is None:
        return ""
    text = str(value)
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` code points; never ends on the first half of a surrogate pair."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if cut and "\ud800" <= cut[-1] <= "\udbff":
        cut = cut[:-1]
    return cut


def _media_source(*, image_url: str | None, image_bytes: bytes | None) -> dict:
    if image_url:
        parts = urlsplit(image_url)
        if parts.scheme != "https" or not parts.netloc:
            raise PayloadError(f"Image URL must be a public https:// URL Pinterest can fetch, got {image_url!r}")
        return {"source_type": "image_url", "url": image_url}
    if image_bytes:
        content_type, data = image_for_upload(image_bytes)
        return {
            "source_type": "image_base64",
            "content_type": content_type,
            "data": base64.b64encode(data).decode("ascii"),
        }
    raise PayloadError("Pin must have an image")


def image_for_upload(image_bytes: bytes) -> tuple[str, bytes]:
    """(content type, bytes) Pinterest accepts for ``image_base64``: JPEG or PNG.

    Raises ``PayloadError`` when Pillow cannot read the bytes as an image.
    """
    try:
        with Image.open(io.BytesIO(image_bytes)) as image:
            image.load()
            if image.format in _SENT_AS_IS:
                return _SENT_AS_IS[image.format], bytes(image_bytes)
            return _convert(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise PayloadError(f"Image could not be read as a picture: {err}") from err


def _convert(image: Image.Image) -> tuple[str, bytes]:
    """Re-encode the first frame: PNG if it has transparency or a palette, else JPEG."""
    image.seek(0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    buffer = io.BytesIO()
    if has_alpha or image.mode in ("P", "1"):
        frame = image.convert("RGBA" if has_alpha else "RGB")
        frame.save(buffer, format="PNG", optimize=True)
        return "image/png", buffer.getvalue()
    frame = image.convert("RGB")
    frame.save(buffer, format="JPEG", quality=_JPEG_QUALITY)
    return "image/jpeg", buffer.getvalue()
