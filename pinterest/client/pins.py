"""Pins: created with ``POST /pins`` and looked for on their board."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from pinterest.client.pages import Paged
from pinterest.errors import PinterestError, PinterestUnavailable
from pinterest.jsonbody import JsonBody, has_files
from pinterest.multipart import FileSizeMismatch


class PinsApi(Paged):
    def iter_board_pins(self, board_id: str, *, page_size: int = 100, max_pages: int = 5) -> Iterator[dict]:
        """The board's pins, newest first as Pinterest returns them; at most ``max_pages`` pages.

        Used to look for a pin whose create had an unknown outcome: a pin just created
        is on the first page, so a few pages are enough.
        """
        path = f"/boards/{quote(str(board_id), safe='')}/pins"
        return self._paginate(path, page_size=page_size, max_pages=max_pages)

    def list_board_pins(self, board_id: str, *, page_size: int = 100, max_pages: int = 5) -> list[dict]:
        return list(self.iter_board_pins(board_id, page_size=page_size, max_pages=max_pages))

    def create_pin(self, payload: dict) -> dict:
        """``POST /pins`` with a PinCreate body (see ``pinterest.payload.build_pin_create``).

        Returns Pinterest's Pin (``id``, ``created_at``, ...). A 2xx without a pin id is
        ``PinterestUnavailable``: Pinterest probably created it, so the caller looks.
        """
        if has_files(payload):
            # Images read from their files while the body is sent: never the whole body in memory.
            try:
                with JsonBody(payload) as body:
                    pin = self._request("POST", "/pins", data=body, content_type=body.content_type)
            except FileSizeMismatch as err:
                raise PinterestError(f"Could not send the pin's image: {err}") from err
        else:
            pin = self._request("POST", "/pins", json=payload)
        if not isinstance(pin, dict) or not pin.get("id"):
            raise PinterestUnavailable(
                "Pinterest accepted the pin but its answer has no pin id",
                status_code=None,
                request_id=self.last_request_id,
                body=pin,
            )
        return pin
