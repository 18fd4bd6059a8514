"""The request rules the stand-in enforces, written from Pinterest's OpenAPI description.

``pin_create_problem(body)`` applies the PinCreate schema of ``POST /v5/pins`` (API 5.23.0):
lengths in code points (JSON Schema's ``maxLength``), ``^\\d+$`` ids, nullable strings,
and the ``media_source`` variants by ``source_type``. It returns the first problem as a
sentence, or None when the body is valid. No jsonschema at runtime: the conformance
tests check the client against the real file; this module is the stand-in's copy of the
same rules.
"""

import base64
import binascii
import io
import re
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

_DIGITS = re.compile(r"[0-9]+")
_BASE64 = re.compile(r"[a-zA-Z0-9+/=]+")
CONTENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}

# (field, maxLength) of PinCreate's nullable strings; dominant_color has no limit.
_TEXT_FIELDS = (("title", 100), ("description", 800), ("alt_text", 500), ("link", 2048), ("dominant_color", None))
_ID_FIELDS = ("board_section_id", "parent_pin_id", "sponsor_id")

CAROUSEL_SOURCE_TYPES = ("multiple_image_urls", "multiple_image_base64")
MEDIA_SOURCE_TYPES = (
    "image_base64",
    "image_url",
    "video_id",
    "multiple_image_base64",
    "multiple_image_urls",
    "pin_url",
)


def pin_create_problem(body) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object (PinCreate)."
    board_id = body.get("board_id")
    if board_id is None:
        return "board_id: is required."
    if not _is_id(board_id):
        return f"board_id: {board_id!r} does not match '^\\d+$'."
    for name in _ID_FIELDS:
        value = body.get(name)
        if value is not None and not _is_id(value):
            return f"{name}: {value!r} does not match '^\\d+$'."
    for name, limit in _TEXT_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{name}: must be a string or null."
        if limit is not None and len(value) > limit:
            return f"{name}: is too long ({len(value)} characters; the maximum is {limit})."
    link = body.get("link")
    if link and not _is_web_url(link):
        return "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL."
    return media_source_problem(body.get("media_source"))


def media_source_problem(source) -> str | None:
    if source is None:
        return "media_source: is required."
    if not isinstance(source, dict):
        return "media_source: must be an object."
    source_type = source.get("source_type")
    if source_type not in MEDIA_SOURCE_TYPES:
        return f"media_source.source_type: must be one of {', '.join(MEDIA_SOURCE_TYPES)}, not {source_type!r}."
    if "is_standard" in source and not isinstance(source["is_standard"], bool):
        return "media_source.is_standard: must be a boolean."
    if source_type == "image_url":
        return _url_problem(source.get("url"), "media_source.url")
    if source_type == "image_base64":
        return _base64_image_problem(source, "media_source")
    if source_type in CAROUSEL_SOURCE_TYPES:
        return _carousel_problem(source)
    if source_type == "video_id":
        return _video_problem(source)
    return "media_source: pin_url pins are not supported by the stand-in."


def _carousel_problem(source: dict) -> str | None:
    """PinMediaSourceImagesURL / PinMediaSourceImagesBase64: 2 to 5 items, each an image
    with optional string title, description and link; an optional ``index`` >= 0."""
    items = source.get("items")
    if not isinstance(items, list) or not 2 <= len(items) <= 5:
        count = f"{len(items)} items" if isinstance(items, list) else "not a list"
        return f"media_source.items: must be a list of 2 to 5 images ({count})."
    index = source.get("index")
    if index is not None and (not _is_int(index) or index < 0):
        return "media_source.index: must be an integer >= 0."
    for position, item in enumerate(items):
        where = f"media_source.items[{position}]"
        if not isinstance(item, dict):
            return f"{where}: must be an object."
        for name in ("title", "description", "link"):
            if name in item and not isinstance(item[name], str):
                return f"{where}.{name}: must be a string."
        link = item.get("link")
        if link and not _is_web_url(link):
            return f"{where}.link: {link!r} is not a valid URL."
        problem = (
            _url_problem(item.get("url"), f"{where}.url")
            if source["source_type"] == "multiple_image_urls"
            else _base64_image_problem(item, where)
        )
        if problem:
            return problem
    return None


def _video_problem(source: dict) -> str | None:
    """PinMediaSourceVideoID: a ``media_id`` and at most one cover (a base64 image with its
    content type, a URL, or a key-frame time in whole seconds >= 0)."""
    if not _is_id(source.get("media_id")):
        return "media_source.media_id: is required and must match '^\\d+$'."
    time = source.get("cover_image_key_frame_time")
    if time is not None and (not _is_int(time) or time < 0):
        return "media_source.cover_image_key_frame_time: must be an integer >= 0 (seconds)."
    url = source.get("cover_image_url")
    if url is not None and _url_problem(url, "media_source.cover_image_url"):
        return _url_problem(url, "media_source.cover_image_url")
    if "cover_image_data" in source or "cover_image_content_type" in source:
        problem = _base64_image_problem(
            {"content_type": source.get("cover_image_content_type"), "data": source.get("cover_image_data")},
            "media_source.cover_image",
        )
        if problem:
            return problem.replace("cover_image.content_type", "cover_image_content_type").replace(
                "cover_image.data", "cover_image_data"
            )
    return None


def carousel_dimensions_problem(source: dict, url_sizes: dict) -> str | None:
    """Pinterest refuses a carousel whose images differ in size. Base64 items are measured;
    URL items only when ``url_sizes`` has them (the stand-in fetches local URLs only)."""
    if source.get("source_type") not in CAROUSEL_SOURCE_TYPES:
        return None
    first = None
    for position, item in enumerate(source["items"]):
        if source["source_type"] == "multiple_image_base64":
            _format, width, height = decode_image(item)
            size = (width, height)
        else:
            size = url_sizes.get(item["url"])
        if size is None:
            continue
        if first is None:
            first = (position, size)
        elif size != first[1]:
            return (
                f"media_source.items[{position}]: is {size[0]}x{size[1]} but media_source.items[{first[0]}] "
                f"is {first[1][0]}x{first[1][1]}; every image of a carousel must have the same dimensions."
            )
    return None


def decode_image(source: dict) -> tuple[str, int, int]:
    """(format, width, height) of a valid image_base64 source."""
    data = base64.b64decode(source["data"], validate=True)
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.width, image.height


def _base64_image_problem(source: dict, where: str) -> str | None:
    content_type = source.get("content_type")
    if content_type not in CONTENT_TYPES:
        return f"{where}.content_type: must be image/jpeg or image/png, not {content_type!r}."
    data = source.get("data")
    if not isinstance(data, str) or not _BASE64.fullmatch(data):
        return f"{where}.data: is required and must match '^[a-zA-Z0-9+/=]+$'."
    try:
        image_format, _width, _height = decode_image(source)
    except (binascii.Error, ValueError):
        return f"{where}.data: is not valid base64."
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return f"{where}.data: is not an image."
    if image_format not in (CONTENT_TYPES[content_type], "MPO" if content_type == "image/jpeg" else None):
        return f"{where}.content_type: says {content_type} but the data is {image_format}."
    return None


def _url_problem(url, where: str) -> str | None:
    if not isinstance(url, str) or not url:
        return f"{where}: is required."
    if not _is_web_url(url):
        return f"{where}: {url!r} is not a URL Pinterest can fetch."
    return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value) -> bool:
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value))


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
