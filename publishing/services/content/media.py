"""What a pin shows beyond one image: a board section, a carousel of 2-5 images, a video.

The rules are checked when a pin is created or changed (the API, the admin and the CSV
import all come here), so a person learns at input what Pinterest would refuse at publish
time: a section of another board, a carousel of 1 or 6 images or of mixed sizes, a file that
is not a video. What only Pinterest can judge (a video's codec, duration, aspect ratio) is
left to its media processing, whose reason ends the pin in ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from pinterest.models import Board, BoardSection
from publishing.conf import publishing_settings
from publishing.models import CarouselItem, Pin
from publishing.rules import board_section_problem
from publishing.services.content.pin_checks import check_image_url, image_name, inspect_image

CAROUSEL_MIN = 2
CAROUSEL_MAX = 5
CAROUSEL_TEXT_MAX = {"title": 500, "description": 10_000}
LINK_MAX = 2048

# ISO base media files start with an ``ftyp`` box naming a brand; old QuickTime files start
# with one of these atoms instead. https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_M4V_BRANDS = {b"M4V ", b"M4VH", b"M4VP"}
_NOT_VIDEO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1"}


def section_for(*, section_id: int | None, board: Board | None, errors: dict) -> BoardSection | None:
    """The section ``section_id`` of ``board``, or None (with the reason in ``errors``)."""
    if section_id is None:
        return None
    if board is None:
        errors.setdefault("board_section", []).append(
            "A board section needs the pin's board: give board too."
        )
        return None
    section = BoardSection.objects.filter(pk=section_id).select_related("board").first()
    if section is None or section.board.connection_id != board.connection_id:
        errors.setdefault("board_section", []).append(f"Board section {section_id} not found.")
        return None
    problem = board_section_problem(section, board)
    if problem:
        errors.setdefault("board_section", []).append(problem)
        return None
    return section


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
        plan = CarouselPlan(position=position, link=link, **texts)
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


def carousel_save(*, pin: Pin, plans: list[CarouselPlan]) -> None:
    """Make the pin's carousel items exactly ``plans``, in order; files of dropped or replaced
    items are deleted once the transaction commits, new files are deleted if it fails."""
    storage = CarouselItem._meta.get_field("image").storage
    dropped = [item for item in pin.carousel_items.all() if item.pk not in {p.keep.pk for p in plans if p.keep}]
    saved: list[str] = []
    try:
        with transaction.atomic():
            CarouselItem.objects.filter(pk__in=[item.pk for item in dropped]).delete()
            # Positions are unique per pin: move every kept item out of the way first.
            for plan in plans:
                if plan.keep is not None:
                    CarouselItem.objects.filter(pk=plan.keep.pk).update(position=CAROUSEL_MAX + 1 + plan.position)
            for plan in plans:
                values = {"title": plan.title, "description": plan.description, "link": plan.link}
                if plan.keep is not None:
                    CarouselItem.objects.filter(pk=plan.keep.pk).update(position=plan.position, **values)
                    continue
                item = CarouselItem(pin=pin, position=plan.position, image_url=plan.image_url, **values)
                if plan.upload is not None:
                    item.image.save(image_name(plan.extension or "jpg"), plan.upload, save=False)
                    saved.append(item.image.name)
                item.save()
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    old_files = [item.image.name for item in dropped if item.image]
    if old_files:
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])


def carousel_drop(*, pin: Pin) -> None:
    """Remove the pin's carousel items (the pin is becoming an image or a video pin)."""
    carousel_save(pin=pin, plans=[])
