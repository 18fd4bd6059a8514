"""The rules a pin's input must keep: image, image URL, texts, board, article."""

from __future__ import annotations

import struct
import uuid

from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from pinterest.models import Board
from pinterest.payload import ALT_TEXT_MAX, DESCRIPTION_MAX, TITLE_MAX
from publishing.conf import publishing_settings
from publishing.models import BlogArticle, Pin, PinStatus, Tenant
from publishing.rules import board_problem, image_size_problem

# What Pinterest accepts for a pin's text; longer text is accepted here, reported as a
# warning, and cut when published. https://developers.pinterest.com/docs/api/v5/pins-create
PINTEREST_TEXT_LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "alt_text": ALT_TEXT_MAX}

# The longest text a pin keeps, for every way in (API, admin) alike; title is also the column's
# length. Pinterest's own, lower limits above are only warnings.
PIN_TEXT_MAX = {"title": 500, "description": 10_000, "alt_text": 5_000}

# The longest URL a pin, an item or an article keeps (the columns' length), for every way in.
URL_MAX = 2048

# Pinterest takes JPEG, PNG, WebP and GIF images up to 20 MB; tiny images look broken in a feed.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 100
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# Any pin may be deleted except one being published right now: its outcome is still open.
PIN_DELETABLE_STATUSES = tuple(s for s in PinStatus.values if s != PinStatus.PUBLISHING)


def check_image(upload: UploadedFile, errors: dict, *, field: str = "image") -> str | None:
    """The file extension for an acceptable upload, or None (with the reason in ``errors[field]``)."""
    extension, _size = inspect_image(upload, errors, field=field)
    return extension


def inspect_image(
    upload: UploadedFile, errors: dict, *, field: str = "image", prefix: str = ""
) -> tuple[str | None, tuple[int, int] | None]:
    """(extension, (width, height)) of an acceptable image upload, or (None, None) with the
    reason in ``errors[field]`` (each message starts with ``prefix``)."""

    def refuse(message: str):
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


def check_text(field: str, text: str, errors: dict) -> None:
    limit = PIN_TEXT_MAX[field]
    if len(text) > limit:
        errors.setdefault(field, []).append(
            f"This text is {len(text)} characters long; at most {limit} are accepted."
        )


def check_image_url(url: str, errors: dict, *, field: str = "image_url", prefix: str = "") -> None:
    # Pinterest fetches the image itself; only https is accepted (no plain-text fetches).
    if url and not url.lower().startswith("https://"):
        errors.setdefault(field, []).append(prefix + "Must be an https URL.")
    elif len(url) > URL_MAX:
        errors.setdefault(field, []).append(
            prefix + f"This URL is {len(url)} characters long; at most {URL_MAX} are accepted."
        )


def board_for(*, tenant: Tenant, board_id: int | None, project, errors: dict) -> Board | None:
    if board_id is None:
        return None
    board = (
        Board.objects.filter(connection__tenant=tenant, pk=board_id)
        .select_related("connection")
        .first()
    )
    if board is None:
        errors.setdefault("board", []).append(
            f"Board {board_id} not found among the boards of your Pinterest accounts."
        )
        return None
    problem = board_problem(board, project)
    if problem:
        errors.setdefault("board", []).append(problem)
    return board


def article_for(*, tenant: Tenant, article_id: int, project, errors: dict) -> BlogArticle | None:
    article = BlogArticle.objects.filter(project__tenant=tenant, pk=article_id).first()
    if article is None:
        errors.setdefault("article", []).append(f"Article {article_id} not found.")
        return None
    if project is not None and article.project_id != project.pk:
        errors.setdefault("article", []).append(
            f"Article {article_id} is not an article of project {project.name!r}."
        )
    return article


def image_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def pin_warnings(*, pin: Pin) -> list[dict[str, str]]:
    """What Pinterest will cut from this pin when it is published (text over its limits)."""
    warnings = []
    for field, limit in PINTEREST_TEXT_LIMITS.items():
        length = len(getattr(pin, field))
        if length > limit:
            warnings.append(
                {
                    "field": field,
                    "message": f"{field} is {length} characters; Pinterest allows {limit}, "
                    f"so it will be cut to {limit} when published.",
                }
            )
    return warnings
