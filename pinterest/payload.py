"""Build the body of Pinterest's ``POST /v5/pins`` (the PinCreate schema). Pure: no ORM, no HTTP.

This module is how Pinterest spells and limits that body, given plain values; which of a pin's
fields become those values is ``publishing.engine.payload.PinCreatePayload``'s (pinterest never
knows a pin). ``CarouselImage`` and ``VideoMedia`` are the values it takes for those media.

The limits are Pinterest's, from ``pinterest.limits`` (title, description, alt_text, link, a
carousel's 2-5 items); board_id is ``^\\d+$``. Text that is too long is cut, not refused.
Lengths count code points, as JSON Schema's ``maxLength`` does; a UTF-16 surrogate pair that
arrives as two code points is joined first, so a cut never leaves half of one (lone
surrogates become U+FFFD: they cannot be sent as UTF-8).

``media_source`` is ``image_url`` when a public https URL is given, otherwise
``image_base64``: JPEG and PNG bytes go as they are, judged by their header and never decoded
(a stored file goes as a ``Base64File``, read while the request is sent: see
``pinterest.jsonbody``); any other image Pillow can read is decoded and converted, to PNG when
it has transparency or a palette (GIF, most WebP graphics), to JPEG otherwise (photos). What
that decode may cost is the caller's to bound: ``image_header`` gives the size, undecoded.
A carousel (2-5 items) goes as ``multiple_image_urls`` when every item has a URL, else
``multiple_image_base64``; each item's title and description are cut like the pin's. A video
goes as ``video_id`` (the media Pinterest processed) with its cover: an image URL, image bytes,
or a key-frame time (0, the first frame, when none is given).
"""

import base64
import io
import re
import struct
from typing import IO, Any, TypedDict, cast
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from pinterest.jsonbody import Base64File
from pinterest.limits import ALT_TEXT_MAX, CAROUSEL_MAX, CAROUSEL_MIN, DESCRIPTION_MAX, LINK_MAX, TITLE_MAX

_BOARD_ID = re.compile(r"[0-9]+")
#: The formats Pinterest takes as uploaded bytes (``content_type``); others are converted.
SENT_AS_IS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
_JPEG_QUALITY = 90


class PayloadError(ValueError):
    """The pin cannot be turned into a valid create-pin request; the message says why."""


class CarouselImage(TypedDict, total=False):
    """One image of a carousel, as ``build_pin_create`` takes it: ``url`` or ``image_bytes``."""

    url: str
    image_bytes: bytes | Base64File | None
    title: str
    description: str
    link: str


class VideoMedia(TypedDict, total=False):
    """A processed video, as ``build_pin_create`` takes it: its media id and at most one cover."""

    media_id: str
    cover_image_url: str
    cover_image_bytes: bytes | Base64File | None
    cover_key_frame_seconds: int | None


def build_pin_create(
    *,
    board_id: str,
    title: str = "",
    description: str = "",
    alt_text: str = "",
    link: str = "",
    image_url: str | None = None,
    image_bytes: bytes | Base64File | None = None,
    board_section_id: str = "",
    carousel: list[CarouselImage] | None = None,
    video: VideoMedia | None = None,
) -> dict[str, Any]:
    """Return the PinCreate dict for ``PinterestClient.create_pin``.

    Empty optional fields are left out. The media is the first given of ``video`` (a dict with
    ``media_id`` and at most one of ``cover_image_url``, ``cover_image_bytes``,
    ``cover_key_frame_seconds``), ``carousel`` (dicts with ``url`` or ``image_bytes``, and
    optional ``title``, ``description``, ``link``), ``image_url``, ``image_bytes``. Image bytes
    are ``bytes`` or a stored file (``Base64File``); a JPEG or PNG file stays a ``Base64File``
    in the dict (``pinterest.jsonbody.JsonBody`` sends it, ``materialized`` spells it out).
    Raises ``PayloadError`` for a missing or non-numeric board or section id, a missing image,
    an image URL that is not https, image bytes that are not a readable image, a carousel of
    fewer than 2 or more than 5 items, and a video without a numeric media id.
    """
    if not board_id:
        raise PayloadError("Pin must have a Pinterest board assigned")
    if not isinstance(board_id, str) or not _BOARD_ID.fullmatch(board_id):
        raise PayloadError(f"Board id must be a numeric string, got {board_id!r}")

    payload: dict[str, Any] = {"board_id": board_id}
    if board_section_id:
        if not isinstance(board_section_id, str) or not _BOARD_ID.fullmatch(board_section_id):
            raise PayloadError(f"Board section id must be a numeric string, got {board_section_id!r}")
        payload["board_section_id"] = board_section_id
    payload.update(_texts(title=title, description=description, alt_text=alt_text, link=link))
    if video is not None:
        payload["media_source"] = _video_source(video)
    elif carousel is not None:
        payload["media_source"] = _carousel_source(carousel)
    else:
        payload["media_source"] = _media_source(image_url=image_url, image_bytes=image_bytes)
    return payload


def _texts(**texts: str) -> dict[str, Any]:
    limits = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "alt_text": ALT_TEXT_MAX, "link": LINK_MAX}
    cut = {}
    for name, value in texts.items():
        text = truncate(clean_text(value).strip(), limits[name])
        if text:
            cut[name] = text
    return cut


def _carousel_source(items: list[CarouselImage]) -> dict[str, Any]:
    if not CAROUSEL_MIN <= len(items) <= CAROUSEL_MAX:
        raise PayloadError(f"A carousel has {CAROUSEL_MIN} to {CAROUSEL_MAX} images, got {len(items)}")
    as_urls = all(item.get("url") for item in items)
    entries = []
    for number, item in enumerate(items, start=1):
        entry = _texts(title=item.get("title") or "", description=item.get("description") or "",
                       link=item.get("link") or "")
        if as_urls:
            entry["url"] = _https_url(item["url"], what=f"Carousel image {number} URL")
        elif image := item.get("image_bytes"):
            entry["content_type"], entry["data"] = image_for_upload(image)
        else:
            raise PayloadError(
                f"Carousel image {number} is a URL while others are uploads; Pinterest takes a carousel "
                "of URLs or of uploaded images, not both"
            )
        entries.append(entry)
    return {"source_type": "multiple_image_urls" if as_urls else "multiple_image_base64", "items": entries}


def _video_source(video: VideoMedia) -> dict[str, Any]:
    media_id = str(video.get("media_id") or "")
    if not _BOARD_ID.fullmatch(media_id):
        raise PayloadError(f"Video media id must be a numeric string, got {media_id!r}")
    source: dict[str, Any] = {"source_type": "video_id", "media_id": media_id}
    if video.get("cover_image_url"):
        source["cover_image_url"] = _https_url(video["cover_image_url"], what="Cover image URL")
    elif cover := video.get("cover_image_bytes"):
        source["cover_image_content_type"], source["cover_image_data"] = image_for_upload(cover)
    else:
        source["cover_image_key_frame_time"] = int(video.get("cover_key_frame_seconds") or 0)
    return source


def _https_url(url: str, *, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise PayloadError(f"{what} must be a public https:// URL Pinterest can fetch, got {url!r}")
    return url


def clean_text(value: object) -> str:
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


def _media_source(*, image_url: str | None, image_bytes: bytes | Base64File | None) -> dict[str, Any]:
    if image_url:
        return {"source_type": "image_url", "url": _https_url(image_url, what="Image URL")}
    if image_bytes:
        content_type, data = image_for_upload(image_bytes)
        return {"source_type": "image_base64", "content_type": content_type, "data": data}
    raise PayloadError("Pin must have an image")


# Pillow's ways of saying "this is not an image it can read" (the bytes are untrusted).
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError,
               struct.error, Image.DecompressionBombError)


def _opened(image: bytes | Base64File) -> IO[bytes]:
    if isinstance(image, bytes | bytearray):
        return io.BytesIO(image)
    # Pillow reads only through read, seek and tell, which every ``BinaryFile`` has; its
    # signature asks for a whole ``IO[bytes]``.
    return cast(IO[bytes], image.open())


def image_header(image: bytes | Base64File) -> tuple[str, int, int]:
    """(Pillow's format, width, height) read from the image's header; nothing is decoded.

    Raises ``PayloadError`` when the header is not one of an image Pillow reads, and the
    storage's own ``OSError`` when a stored file cannot be opened.
    """
    file = _opened(image)  # the storage's errors (a missing file) are the caller's to word
    try:
        with file, Image.open(file) as opened:
            return opened.format or "", opened.width, opened.height
    except _UNREADABLE as err:
        raise PayloadError(f"Image could not be read as a picture: {err}") from err


def image_for_upload(image: bytes | Base64File) -> tuple[str, str | Base64File]:
    """(content type, base64 data) Pinterest accepts for ``image_base64``: JPEG or PNG.

    JPEG and PNG go as they are, their chunks checked (``verify``) but never decoded: bytes as
    base64 text, a stored file as the ``Base64File`` itself. Any other format is decoded and
    converted (``_convert``). Raises ``PayloadError`` when Pillow cannot read the image, and
    the storage's own ``OSError`` when a stored file cannot be opened.
    """
    file = _opened(image)
    try:
        with file, Image.open(file) as opened:
            if opened.format in SENT_AS_IS:
                opened.verify()
                content_type = SENT_AS_IS[opened.format]
                if isinstance(image, Base64File):
                    return content_type, image
                return content_type, base64.b64encode(image).decode("ascii")
            opened.load()
            content_type, data = _convert(opened)
            return content_type, base64.b64encode(data).decode("ascii")
    except _UNREADABLE as err:
        raise PayloadError(f"Image could not be read as a picture: {err}") from err


def _convert(image: Image.Image) -> tuple[str, bytes]:
    """Re-encode the first frame: PNG if it has transparency or a palette, else JPEG."""
    image.seek(0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    buffer = io.BytesIO()
    if has_alpha or image.mode in ("P", "1"):
        frame = image if image.mode in ("RGBA", "P") else image.convert("RGBA" if has_alpha else "RGB")
        frame.save(buffer, format="PNG", optimize=True)
        return "image/png", buffer.getvalue()
    frame = image if image.mode == "RGB" else image.convert("RGB")
    frame.save(buffer, format="JPEG", quality=_JPEG_QUALITY)
    return "image/jpeg", buffer.getvalue()
