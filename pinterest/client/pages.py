"""Pinterest's bookmark-paged lists, read page by page through the one ``_request``."""

from __future__ import annotations

from collections.abc import Iterator

from pinterest.client.transport import Transport
from pinterest.errors import PinterestError


class Paged(Transport):
    def _paginate(self, path: str, *, page_size: int, max_pages: int, complete: bool = False) -> Iterator[dict]:
        """The items of every page up to ``max_pages``; with ``complete``, running into that
        cap with a bookmark left is a ``PinterestError`` instead of a quiet stop."""
        bookmark = None
        seen = set()
        for _ in range(max_pages):
            params = {"page_size": page_size}
            if bookmark:
                params["bookmark"] = bookmark
            page = self._request("GET", path, params=params)
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise PinterestError(
                    f"Pinterest's answer to GET {path} has no list of items",
                    request_id=self.last_request_id,
                    body=page,
                )
            yield from items
            bookmark = page.get("bookmark")
            if not bookmark:
                return
            if bookmark in seen:
                raise PinterestError(
                    f"Pinterest repeated a bookmark while paging GET {path}",
                    request_id=self.last_request_id,
                )
            seen.add(bookmark)
        if complete:
            raise PinterestError(
                f"GET {path} still had more after {max_pages} pages; stopped rather than return part of the list",
                request_id=self.last_request_id,
            )
