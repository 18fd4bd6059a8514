"""The stand-in demo account's past: pins created over the last 30 days at a few weekly times, so
``make run`` has a month of analytics to sync and a posting-time suggestion to find.

Every weekly time (weekday, hour, UTC) gets one pin on each such day of the last ``days`` days
(today excluded), on the demo user's boards in turn: about 26 pins, four or five per time, images
with a video and a carousel among every five. The
stand-in's numbers favour weekend evenings and punish nights (``analytics.slot_factor``), so the
demo's suggestion is Saturday 19:00, Sunday 20:00 and Wednesday 19:00, each resting on four or
more pins. The pins are returned as plain dicts for the demo's seed, which records them as its
project's published pins (``publishing.services.demo``); the analytics come through the real sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pinterest.standin import analytics

#: (weekday, hour UTC): weekend evenings, a weekday evening, two daytimes and a night.
WEEKLY_TIMES = ((5, 19), (6, 20), (2, 19), (1, 9), (3, 13), (0, 3))
#: The pins' media in turn (five of them, so every weekly time gets each kind over the weeks).
SOURCES = (
    {"source_type": "image_url"}, {"source_type": "image_url"}, {"source_type": "video_id"},
    {"source_type": "image_url"},
    {"source_type": "multiple_image_urls", "items": [{"title": "Step 1"}, {"title": "Step 2"}]},
)


def history_pins(state, *, username: str = "demo", days: int = 30) -> list[dict]:
    """Add the demo user's past pins, backdated (``add_pin(created_at=)``): images, videos and
    carousels in turn. Returns ``[{"id", "board_id", "created_at", "title", "media_type"}]``,
    oldest first."""
    user = state.user(username)
    boards = sorted(state.boards(user), key=lambda board: board.name)
    if not boards:
        raise ValueError(f"{username} has no boards (seed_demo first)")
    today = analytics.today(state)
    made: list[dict] = []
    for back in range(int(days), 0, -1):
        day = today - timedelta(days=back)
        for weekday, hour in WEEKLY_TIMES:
            if day.weekday() != weekday:
                continue
            board = boards[len(made) % len(boards)]
            created = datetime.combine(day, time(hour, len(made) % 4 * 10), UTC)
            title = f"Demo history pin {len(made) + 1}"
            source = SOURCES[len(made) % len(SOURCES)]
            pin = state.add_pin(board.id, created_at=created, title=title, link=None, media_source=source)
            made.append({"id": pin["id"], "board_id": board.id, "created_at": pin["created_at"], "title": title,
                         "media_type": pin["media"]["media_type"]})
    return made
