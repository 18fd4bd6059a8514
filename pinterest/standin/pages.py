"""Pages a person opens on the stand-in (the demo): a created pin as Pinterest would show it.

``GET /_standin/pins/<id>/`` shows the pin's image, title, description, board and link, so the
admin's "on the demo stand-in" link leads somewhere real (the pin's stored URL stays
Pinterest's). The image of a pin sent as bytes (``image_base64``) is kept for the page.
"""

from __future__ import annotations

import re
from html import escape

PIN_PAGE = re.compile(r"^/_standin/pins/(?P<pin_id>[0-9]+)/?$")
HTML = {"Content-Type": "text/html; charset=utf-8"}


def remember_image(state, pin_id: str, media_source: dict) -> None:
    """Keep what the page needs to show the image of a pin just created."""
    images = state.__dict__.setdefault("page_images", {})
    if media_source.get("source_type") == "image_base64":
        images[pin_id] = f"data:{media_source.get('content_type') or 'image/png'};base64,{media_source.get('data')}"
    elif media_source.get("url"):
        images[pin_id] = media_source["url"]


def pin_page(state, path: str) -> tuple[int, str, dict] | None:
    """(status, HTML, headers) of a pin page, or None when ``path`` is not one."""
    match = PIN_PAGE.match(path)
    if match is None:
        return None
    with state.lock:
        pin = state.pin_map.get(match["pin_id"])
        board = state.board_map.get(pin["board_id"]) if pin else None
        image = state.__dict__.get("page_images", {}).get(match["pin_id"], "")
    if pin is None:
        return 404, "<!doctype html><title>Not found</title><p>No such pin on the stand-in.</p>", HTML
    link = pin.get("link") or ""
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(pin.get('title') or 'Pin')} (stand-in)</title>
<style>body{{font-family:sans-serif;max-width:720px;margin:2em auto;color:#222}}
img{{max-width:100%;max-height:70vh;border-radius:16px}}.muted{{color:#767676}}</style></head>
<body><p class="muted">Pinterest stand-in (demo): pin {escape(pin['id'])}</p>
{f'<img id="pin-image" src="{escape(image)}" alt="{escape(pin.get("alt_text") or "")}">' if image else ''}
<h1 id="pin-title">{escape(pin.get('title') or '(no title)')}</h1>
<p id="pin-description">{escape(pin.get('description') or '')}</p>
<p>Board: <strong id="pin-board">{escape(board.name if board else pin['board_id'])}</strong>
 by {escape((pin.get('board_owner') or {}).get('username') or '')}</p>
<p>Link: <a id="pin-link" href="{escape(link)}">{escape(link or '(none)')}</a></p>
<p class="muted">Created {escape(pin.get('created_at') or '')}</p></body></html>"""
    return 200, body, HTML
