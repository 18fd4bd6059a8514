"""The account, its boards and their sections: Pinterest's bookmark-paged lists."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from pinterest.client.pages import Paged

# Pinterest's maximum page size for bookmark-paged lists
# (https://developers.pinterest.com/docs/reference/pagination/).
MAX_PAGE_SIZE = 250

# A guard against a server that keeps answering with a bookmark: 250 x 400 = 100,000 boards.
_MAX_BOARD_PAGES = 400
# The same guard for a board's sections; hitting it is an error, never a partial list
# (a caller that syncs would archive the sections it did not see).
_MAX_SECTION_PAGES = 1000


class BoardsApi(Paged):
    # --- the account, boards --------------------------------------------------------

    def get_user_account(self) -> dict:
        """``GET /user_account``: the connected account (id, username, account_type, ...)."""
        return self._request("GET", "/user_account")

    def list_boards(self) -> list[dict]:
        """Every board of the account: ``GET /boards`` page by page (250 a page) until the
        bookmark is null."""
        return list(self._paginate("/boards", page_size=MAX_PAGE_SIZE, max_pages=_MAX_BOARD_PAGES))

    # --- board sections -------------------------------------------------------------

    def iter_board_sections(self, board_id: str, *, page_size: int = 100) -> Iterator[dict]:
        """``GET /boards/{board_id}/sections``: every section (``{"id", "name"}``), page by
        page until the bookmark is null.

        Raises ``PinterestNotFound`` for a board that is gone or not the account's, and
        ``PinterestError`` if the pages never end: a partial list is never returned.
        """
        path = f"/boards/{quote(str(board_id), safe='')}/sections"
        return self._paginate(path, page_size=page_size, max_pages=_MAX_SECTION_PAGES, complete=True)

    def list_board_sections(self, board_id: str) -> list[dict]:
        return list(self.iter_board_sections(board_id))
