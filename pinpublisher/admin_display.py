"""The admin's shared look: the one badge style and its palette, used by every app's admin and
dashboards (pin statuses, batch outcomes, connection health).

It imports no app: each app maps its own states to these colours next to its admin.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString

#: The palette, by meaning: each app's states map to these.
GOOD = "#2e8540"
WAITING = "#c98a00"
BAD = "#c0392b"
NEUTRAL = "#8a8a8a"
INFO = "#2f6fb5"


def badge(text: object, color: str, *, title: str = "") -> SafeString:
    """A coloured pill, the admin's one badge style (pin statuses, connection health)."""
    return format_html(
        '<span class="pp-badge" style="background:{}"{}>{}</span>',
        color,
        format_html(' title="{}"', title) if title else "",
        text,
    )
