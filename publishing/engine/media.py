"""A pin as Pinterest's create-pin body: its section, the texts, the link, and what it shows (the
image's location or stored file, a carousel's items, a processed video's media id and cover)."""

import logging
from functools import partial

from django.db.models.fields.files import FieldFile

from pinterest.jsonbody import Base64File, materialized
from pinterest.payload import PayloadError, build_pin_create, image_header
from publishing.conf import publishing_settings
from publishing.engine.results import MSG_IMAGE_MISSING, MSG_IMAGE_UNREADABLE, MSG_NO_BOARD, MSG_NO_IMAGE
from publishing.models import Pin, PinKind
from publishing.rules import image_size_problem

logger = logging.getLogger(__name__)


class Unpublishable(Exception):
    """The pin cannot be turned into a create request; the message is for the pin's owner."""


def _media(pin: Pin) -> dict:
    """What the pin shows, as ``build_pin_create``'s media arguments."""
    if pin.kind == PinKind.VIDEO:
        if not pin.media_id:
            raise Unpublishable(MSG_NO_IMAGE)
        cover = _image(pin.cover_image, url=pin.cover_image_url, pin=pin, what="cover image") \
            if (pin.cover_image or pin.cover_image_url) else {}
        return {"video": {
            "media_id": pin.media_id,
            "cover_image_url": cover.get("image_url", ""),
            "cover_image_bytes": cover.get("image_bytes"),
            "cover_key_frame_seconds": pin.cover_key_frame_seconds,
        }}
    if pin.kind == PinKind.CAROUSEL:
        items = []
        for number, item in enumerate(pin.carousel_items.all(), start=1):
            image = _image(item.image, url=item.image_url, pin=pin, what=f"carousel image {number}")
            items.append({"url": image.get("image_url", ""), "image_bytes": image.get("image_bytes"),
                          "title": item.title, "description": item.description, "link": item.link})
        return {"carousel": items}
    return _image(pin.image, url=pin.image_url, pin=pin, what="image")


def _image(file: FieldFile, *, url: str, pin: Pin, what: str) -> dict:
    """image_url when Pinterest can fetch the image over https, else the bytes inline."""
    if url:
        return {"image_url": url}
    if not file:
        raise Unpublishable(MSG_NO_IMAGE)
    public_base = publishing_settings.PUBLIC_MEDIA_BASE_URL
    if public_base and public_base.startswith("https://"):
        return {"image_url": f"{public_base}/{file.name}"}
    try:
        file_url = file.url
    except ValueError:
        file_url = ""
    if file_url.startswith("https://"):
        return {"image_url": file_url}
    # The file is read while the create is sent, never held whole; its header is judged first,
    # so an image stored before the size rule fails here with the rule's words, undecoded.
    stored = Base64File(partial(file.storage.open, file.name or "", "rb"))
    try:
        image_format, width, height = image_header(stored)
    except FileNotFoundError as exc:
        raise Unpublishable(_named(MSG_IMAGE_MISSING, what)) from exc
    except OSError as exc:
        # The storage's own words may name server paths; the owner gets what they can act on.
        logger.warning("pin %s: %s %s unreadable: %s", pin.pk, what, file.name, exc)
        raise Unpublishable(_named(MSG_IMAGE_UNREADABLE, what)) from exc
    problem = image_size_problem(image_format=image_format, width=width, height=height, what=what)
    if problem:
        raise Unpublishable(problem)
    return {"image_bytes": stored}


def require_cover_file(pin: Pin) -> None:
    """Raise Unpublishable when a video pin's cover file is gone from storage: found before the
    video is uploaded and processed, not after."""
    if pin.cover_image and not pin.cover_image.storage.exists(pin.cover_image.name or ""):
        raise Unpublishable(_named(MSG_IMAGE_MISSING, "cover image"))


def _named(message: str, what: str) -> str:
    return message if what == "image" else message.replace("image file", f"{what} file")


def payload_for(pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin, as sent: a stored JPEG or PNG stays a ``Base64File``,
    read while the request goes out. Raises Unpublishable with a message for a person."""
    if pin.board is None:
        raise Unpublishable(MSG_NO_BOARD)
    try:
        return build_pin_create(
            board_id=pin.board.pinterest_board_id,
            title=pin.title,
            description=pin.description,
            alt_text=pin.alt_text,
            link=pin.article.url,
            board_section_id=pin.board_section.pinterest_section_id if pin.board_section is not None else "",
            **_media(pin),
        )
    except PayloadError as exc:
        raise Unpublishable(f"Invalid pin: {exc}") from exc


def pin_build_payload(*, pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin, spelled out (images as base64 text, as Pinterest
    receives them). Raises PayloadError (the message says why)."""
    try:
        return materialized(payload_for(pin))
    except Unpublishable as exc:
        raise PayloadError(str(exc)) from exc
