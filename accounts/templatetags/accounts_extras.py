"""Template filters of the account pages."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def wait_words(duration: timedelta | None) -> str:
    """A lockout's wait in words: "15 minutes", "1 hour", "90 seconds"."""
    if not duration:
        return ""
    seconds = round(duration.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{round(seconds / 60)} minutes"
