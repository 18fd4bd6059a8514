"""A pin as Pinterest's create-pin body: the image's location or bytes, the texts, the link."""

import logging

from pinterest.payload import PayloadError, build_pin_create
from publishing.conf import publishing_settings
from publishing.engine.results import MSG_IMAGE_MISSING, MSG_IMAGE_UNREADABLE, MSG_NO_BOARD, MSG_NO_IMAGE
from publishing.models import Pin

logger = logging.getLogger(__name__)


class Unpublishable(Exception):
    """The pin cannot be turned into a create request; the message is for the pin's owner."""


def _media(pin: Pin) -> dict:
    """image_url when Pinterest can fetch the image over https, else the bytes inline."""
    if pin.image_url:
        return {"image_url": pin.image_url}
    if not pin.image:
        raise Unpublishable(MSG_NO_IMAGE)
    public_base = publishing_settings.PUBLIC_MEDIA_BASE_URL
    if public_base and public_base.startswith("https://"):
        return {"image_url": f"{public_base}/{pin.image.name}"}
    try:
        url = pin.image.url
    except ValueError:
        url = ""
    if url.startswith("https://"):
        return {"image_url": url}
    try:
        with pin.image.open("rb") as handle:
            return {"image_bytes": handle.read()}
    except FileNotFoundError as exc:
        raise Unpublishable(MSG_IMAGE_MISSING) from exc
    except OSError as exc:
        # The storage's own words may name server paths; the owner gets what they can act on.
        logger.warning("pin %s: image %s unreadable: %s", pin.pk, pin.image.name, exc)
        raise Unpublishable(MSG_IMAGE_UNREADABLE) from exc


def payload_for(pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin. Raises Unpublishable with a message for a person."""
    if pin.board is None:
        raise Unpublishable(MSG_NO_BOARD)
    try:
        return build_pin_create(
            board_id=pin.board.pinterest_board_id,
            title=pin.title,
            description=pin.description,
            alt_text=pin.alt_text,
            link=pin.article.url,
            **_media(pin),
        )
    except PayloadError as exc:
        raise Unpublishable(f"Invalid pin: {exc}") from exc


def pin_build_payload(*, pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin. Raises PayloadError (the message says why)."""
    try:
        return payload_for(pin)
    except Unpublishable as exc:
        raise PayloadError(str(exc)) from exc
