"""A pin as Pinterest's create-pin body: ``PinCreatePayload``, one object built from a pin that
owns the whole mapping (django-anymail's shape: one payload object per provider turns a message
into its request).

The object decides which of the pin's fields becomes which of PinCreate's: the board and its
section, the title, description and alt text, the article's URL as the link, and what the pin
shows (an image by URL or from its stored file, a carousel's items, a processed video's media id
and cover). It reads the stored files, judges an image stored before the size rule by its header
(``rules.image_size_problem``), and words every failure for the pin's owner (``Unpublishable``).
How Pinterest spells and limits that body (field names, source types, cut texts, https URLs, the
image as base64 or converted, a carousel's 2-5 items) stays in ``pinterest.payload``, pure: the
object hands it the pin's values and takes the body back.

Why here and not in ``pinterest``: the mapping reads a ``Pin``, Django's storage, publishing's
settings (``PUBLIC_MEDIA_BASE_URL``) and publishing's rules and messages, and pinterest never
imports publishing (contract ``pinterest-knows-no-pins``) while ``pinterest.payload`` imports
nothing of Django or the project (``client-is-pure-http``). Why the engine: it alone sends a
create (``create``, and ``reconcile`` to match what was sent), and a test or preview asks it
through ``pin_build_payload``.
"""

import logging
from functools import partial
from typing import Any

from django.db.models.fields.files import FieldFile

from pinterest.jsonbody import Base64File, materialized
from pinterest.payload import CarouselImage, PayloadError, VideoMedia, build_pin_create, image_header
from publishing.conf import publishing_settings
from publishing.engine.results import MSG_IMAGE_MISSING, MSG_IMAGE_UNREADABLE, MSG_NO_BOARD, MSG_NO_IMAGE
from publishing.models import Pin, PinKind
from publishing.rules import image_size_problem

logger = logging.getLogger(__name__)


class Unpublishable(Exception):
    """The pin cannot be turned into a create request; the message is for the pin's owner."""


class PinCreatePayload:
    """Pinterest's PinCreate body for one pin.

    ``body()`` is the body as sent: a stored JPEG or PNG stays a ``Base64File``, read while the
    request goes out. ``spelled_out()`` is the same body with images as base64 text, as Pinterest
    receives it. Both raise ``Unpublishable`` with a message for a person.
    """

    def __init__(self, pin: Pin) -> None:
        self.pin = pin

    def body(self) -> dict[str, Any]:
        pin = self.pin
        if pin.board is None:
            raise Unpublishable(MSG_NO_BOARD)
        try:
            # An image whose header Pillow cannot read is an invalid pin, like an invalid body.
            return build_pin_create(
                board_id=pin.board.pinterest_board_id,
                title=pin.title,
                description=pin.description,
                alt_text=pin.alt_text,
                link=pin.destination,
                board_section_id=pin.board_section.pinterest_section_id if pin.board_section is not None else "",
                **self._media(),
            )
        except PayloadError as exc:
            raise Unpublishable(f"Invalid pin: {exc}") from exc

    def spelled_out(self) -> dict[str, Any]:
        return materialized(self.body())

    def _media(self) -> dict[str, Any]:
        """What the pin shows, as ``build_pin_create``'s media arguments."""
        pin = self.pin
        if pin.kind == PinKind.VIDEO:
            return {"video": self._video()}
        if pin.kind == PinKind.CAROUSEL:
            return {"carousel": self._carousel()}
        return self._image(pin.image, url=pin.image_url, what="image")

    def _video(self) -> VideoMedia:
        pin = self.pin
        if not pin.media_id:
            raise Unpublishable(MSG_NO_IMAGE)
        cover = self._image(pin.cover_image, url=pin.cover_image_url, what="cover image") \
            if (pin.cover_image or pin.cover_image_url) else {}
        return {
            "media_id": pin.media_id,
            "cover_image_url": cover.get("image_url", ""),
            "cover_image_bytes": cover.get("image_bytes"),
            "cover_key_frame_seconds": pin.cover_key_frame_seconds,
        }

    def _carousel(self) -> list[CarouselImage]:
        items: list[CarouselImage] = []
        for number, item in enumerate(self.pin.carousel_items.all(), start=1):
            image = self._image(item.image, url=item.image_url, what=f"carousel image {number}")
            items.append({"url": image.get("image_url", ""), "image_bytes": image.get("image_bytes"),
                          "title": item.title, "description": item.description, "link": item.link})
        return items

    def _image(self, file: FieldFile, *, url: str, what: str) -> dict[str, Any]:
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
        # The file is read while the create is sent, never held whole; its header is judged
        # first, so an image stored before the size rule fails here with the rule's words,
        # undecoded.
        stored = Base64File(partial(file.storage.open, file.name or "", "rb"))
        try:
            image_format, width, height = image_header(stored)
        except FileNotFoundError as exc:
            raise Unpublishable(_named(MSG_IMAGE_MISSING, what)) from exc
        except OSError as exc:
            # The storage's own words may name server paths; the owner gets what they can act on.
            logger.warning("pin %s: %s %s unreadable: %s", self.pin.pk, what, file.name, exc)
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


def pin_build_payload(*, pin: Pin) -> dict[str, Any]:
    """Pinterest's PinCreate body for a pin, spelled out (images as base64 text, as Pinterest
    receives them). Raises PayloadError (the message says why)."""
    try:
        return PinCreatePayload(pin).spelled_out()
    except Unpublishable as exc:
        raise PayloadError(str(exc)) from exc
