"""Rules about what a pin shows: an image (format, bytes, pixels), a carousel of 2-5 images of one
size, a video (judged by its content) and its cover.

The rules are checked when a pin is created or changed (the API, the admin and the CSV import all
come through the content services, which ask here), and the pixel rule again when a stored image
is sent, so a person learns at input what Pinterest would refuse at publish time. What only
Pinterest can judge (a video's codec, duration, aspect ratio) is left to its media processing,
whose reason ends the pin in ``error``. These functions read the uploads and objects they are
given; they never query or write the database.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

from pinterest.limits import CAROUSEL_MAX, CAROUSEL_MIN, LINK_MAX
from pinterest.payload import SENT_AS_IS
from publishing.conf import publishing_settings
from publishing.models import CarouselItem
from publishing.rules.texts import PIN_TEXT_MAX, check_image_url

# Pinterest takes JPEG, PNG, WebP and GIF images up to 20 MB; tiny images look broken in a feed.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 100
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# What a carousel item keeps of its texts: what a pin keeps.
CAROUSEL_TEXT_MAX = {"title": PIN_TEXT_MAX["title"], "description": PIN_TEXT_MAX["description"]}

# ISO base media files start with an ``ftyp`` box naming a brand; old QuickTime files start
# with one of these atoms instead. https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_M4V_BRANDS = {b"M4V ", b"M4VH", b"M4VP"}
_NOT_VIDEO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"}


def image_size_problem(*, image_format: str, width: int, height: int, what: str = "image") -> str | None:
    """Why an image of ``image_format`` (Pillow's name) and this size is refused, or None.

    Judged from the header alone (at input and again at publish, for files stored before the
    rule): more than ``PIN_IMAGE_MAX_PIXELS``, or, for a format Pinterest takes only converted
    to JPEG or PNG (so decoded when published), more than ``PIN_IMAGE_CONVERTED_MAX_PIXELS``.
    """
    pixels = width * height
    size = f"{width}x{height} px ({pixels / 1_000_000:.1f} megapixels)"
    limit = publishing_settings.PIN_IMAGE_MAX_PIXELS
    if pixels > limit:
        return (
            f"The {what} is {size}; at most {limit / 1_000_000:g} megapixels are accepted "
            "(PIN_IMAGE_MAX_PIXELS). Pinterest shows pins at about 1000x1500 px: scale it down and upload it again."
        )
    limit = publishing_settings.PIN_IMAGE_CONVERTED_MAX_PIXELS
    if image_format not in SENT_AS_IS and pixels > limit:
        return (
            f"The {what} is a {image_format} image of {size}; Pinterest takes uploaded images as JPEG or PNG, "
            f"so it would be converted, and at most {limit / 1_000_000:g} megapixels are converted "
            "(PIN_IMAGE_CONVERTED_MAX_PIXELS). Save it as JPEG or PNG, or scale it down, and upload it again."
        )
    return None


def check_image(upload: UploadedFile, errors: dict, *, field: str = "image") -> str | None:
    """The file extension for an acceptable upload, or None (with the reason in ``errors[field]``)."""
    extension, _size = inspect_image(upload, errors, field=field)
    return extension


def inspect_image(
    upload: UploadedFile, errors: dict, *, field: str = "image", prefix: str = ""
) -> tuple[str | None, tuple[int, int] | None]:
    """(extension, (width, height)) of an acceptable image upload, or (None, None) with the
    reason in ``errors[field]`` (each message starts with ``prefix``)."""

    def refuse(message: str) -> tuple[None, None]:
        errors.setdefault(field, []).append(prefix + message)
        return None, None

    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        return refuse(
            f"The image is {upload.size / 1024 / 1024:.1f} MB; at most "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB is accepted."
        )
    try:
        upload.seek(0)
        # Only the header is read and the chunks checked (``verify``): nothing is decoded; the
        # size is judged by ``image_size_problem`` below.
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        limit = publishing_settings.PIN_IMAGE_MAX_PIXELS
        return refuse(f"The image has far more than the {limit / 1_000_000:g} megapixels accepted "
                      "(PIN_IMAGE_MAX_PIXELS): scale it down and upload it again.")
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
        # Pillow's ways of saying "this is not an image it can read" (untrusted input).
        return refuse("Upload a valid image: the file is not an image or it is corrupted.")
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        return refuse(f"{image_format} images are not accepted; use JPEG, PNG, WebP or GIF.")
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        return refuse(
            f"The image is {width}x{height} px; it must be at least "
            f"{MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE} px."
        )
    problem = image_size_problem(image_format=image_format, width=width, height=height)
    if problem:
        return refuse(problem)
    return IMAGE_FORMATS[image_format], (width, height)


def video_kind(head: bytes) -> str | None:
    """The extension (mp4, m4v, mov) for a file starting with ``head``, or None if it is not
    an MP4/MOV/M4V video. Judged by content, never by the file's name."""
    if len(head) < 12:
        return None
    box = head[4:8]
    if box == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "mov"
        if brand in _M4V_BRANDS:
            return "m4v"
        if brand in _NOT_VIDEO_BRANDS:
            return None
        return "mp4"
    if box in _QUICKTIME_ATOMS:
        return "mov"
    return None


def check_video(upload: UploadedFile, errors: dict) -> str | None:
    """The extension for an acceptable video upload, or None (with the reason in ``errors``)."""
    limit = publishing_settings.PIN_VIDEO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        errors.setdefault("video", []).append(
            f"The video is {filesizeformat(upload.size)}; at most {filesizeformat(limit)} is accepted "
            "(PIN_VIDEO_MAX_BYTES)."
        )
        return None
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    extension = video_kind(head)
    if extension is None:
        errors.setdefault("video", []).append(
            "Upload an MP4, MOV or M4V video: this file is not one (judged by its content, not its name)."
        )
    return extension


def check_cover(
    *, cover_image: UploadedFile | None, cover_image_url: str, key_frame: int | None, errors: dict
) -> str | None:
    """The extension of an acceptable cover image upload (None when there is none or it is refused)."""
    given = [name for name, value in (("cover_image", cover_image), ("cover_image_url", cover_image_url),
                                      ("cover_key_frame_seconds", key_frame)) if value not in (None, "")]
    if len(given) > 1:
        errors.setdefault(given[1], []).append(
            "Give one cover: an image, an image URL or a key-frame time, not " + " and ".join(given) + "."
        )
        return None
    if key_frame is not None and key_frame < 0:
        errors.setdefault("cover_key_frame_seconds", []).append("Give a time of at least 0 seconds.")
    if cover_image_url:
        check_image_url(cover_image_url, errors, field="cover_image_url")
    if cover_image is not None:
        extension, _size = inspect_image(cover_image, errors, field="cover_image")
        return extension
    return None


@dataclass
class CarouselPlan:
    """One carousel item as it will be saved: a kept item (``keep``), a new upload or a URL."""

    position: int
    title: str
    description: str
    link: str
    keep: CarouselItem | None = None
    upload: UploadedFile | None = None
    extension: str | None = None
    image_url: str = ""
    size: tuple[int, int] | None = None


def check_carousel(
    *, items: list[dict[str, Any]], existing: dict[int, CarouselItem], errors: dict
) -> list[CarouselPlan]:
    """The carousel ``items`` (in order) as plans, refused with ``errors["carousel"]`` when there
    are not 2-5 of them, an item has no image or two, an image breaks the image rules, or the
    images with known sizes (uploads; kept items) differ in size: Pinterest refuses mixed sizes.

    Each item is a dict with ``image`` (an upload) or ``image_url`` or ``id`` (an item of the
    pin kept as it is), and optional ``title``, ``description``, ``link``: a kept item keeps
    each of these the dict leaves out, a new item has "" for it.
    """
    problems: list[str] = []
    if not CAROUSEL_MIN <= len(items) <= CAROUSEL_MAX:
        problems.append(f"A carousel has {CAROUSEL_MIN} to {CAROUSEL_MAX} images; {len(items)} given.")
    plans = []
    seen_ids: set[int] = set()
    for position, item in enumerate(items):
        label = f"Item {position + 1}: "
        item_errors: dict[str, list[str]] = {}
        keep = existing.get(item["id"]) if item.get("id") not in (None, "") else None
        # A kept item keeps the texts and link the body does not give: reordering by id loses nothing.
        texts = {}
        for field, limit in CAROUSEL_TEXT_MAX.items():
            value = (item.get(field) if field in item else getattr(keep, field, "")) or ""
            if len(value) > limit:
                item_errors.setdefault("carousel", []).append(
                    f"{label}{field} is {len(value)} characters long; at most {limit} are accepted."
                )
            texts[field] = value
        link = (item.get("link") if "link" in item else getattr(keep, "link", "")) or ""
        if link and (len(link) > LINK_MAX or not link.lower().startswith(("https://", "http://"))):
            item_errors.setdefault("carousel", []).append(
                f"{label}link must be an http(s) URL of at most {LINK_MAX} characters."
            )
        plan = CarouselPlan(position=position, link=link, title=texts["title"], description=texts["description"])
        sources = [name for name in ("id", "image", "image_url") if item.get(name) not in (None, "")]
        if len(sources) != 1:
            item_errors.setdefault("carousel", []).append(
                f"{label}give exactly one of image (an upload), image_url or id (an item kept), "
                + (f"not {' and '.join(sources)}." if sources else "none was given.")
            )
        elif sources[0] == "id":
            if keep is None or item["id"] in seen_ids:
                item_errors.setdefault("carousel", []).append(f"{label}item {item['id']} is not an item of this pin.")
            else:
                seen_ids.add(item["id"])
                plan.keep = keep
                plan.size = (keep.width, keep.height) if keep.width and keep.height else None
        elif sources[0] == "image":
            plan.upload = item["image"]
            plan.extension, plan.size = inspect_image(plan.upload, item_errors, field="carousel", prefix=label)
        else:
            plan.image_url = item["image_url"]
            check_image_url(plan.image_url, item_errors, field="carousel", prefix=label)
        problems.extend(item_errors.get("carousel", []))
        plans.append(plan)
    urls = [plan for plan in plans if plan.image_url or (plan.keep is not None and plan.keep.image_url)]
    uploads = [plan for plan in plans if plan.upload is not None or (plan.keep is not None and plan.keep.image)]
    if urls and uploads:
        problems.append(
            "A carousel's images are all uploads or all image URLs: Pinterest takes one or the other."
        )
    sizes = {plan.size for plan in plans if plan.size}
    if len(sizes) > 1:
        listed = ", ".join(f"item {plan.position + 1} is {plan.size[0]}x{plan.size[1]}" for plan in plans if plan.size)
        problems.append(f"Every image of a carousel must have the same size (Pinterest refuses mixed sizes): {listed}.")
    if problems:
        errors.setdefault("carousel", []).extend(problems)
    return plans
