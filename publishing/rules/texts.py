"""Rules about a pin's and an article's texts and URLs: what every way in (API, admin, CSV) keeps,
and what Pinterest will cut when the pin is published (a warning, not a refusal)."""

from pinterest.limits import LINK_MAX, TEXT_LIMITS
from publishing.models import TITLE_MAX_LENGTH, Pin

# What Pinterest accepts for a pin's text; longer text is accepted here, reported as a
# warning, and cut when published (``pinterest.limits``).
PINTEREST_TEXT_LIMITS = TEXT_LIMITS

# The longest text a pin keeps, for every way in (API, admin) alike; title is the column's
# length. Pinterest's own, lower limits above are only warnings.
PIN_TEXT_MAX = {"title": TITLE_MAX_LENGTH, "description": 10_000, "alt_text": 5_000}

# The longest URL a pin, an item or an article keeps (the columns' length), for every way in:
# Pinterest's own limit of a pin's link.
URL_MAX = LINK_MAX

#: The longest title an article keeps (its column), for every way in.
ARTICLE_TITLE_MAX = TITLE_MAX_LENGTH


def check_text(field: str, text: str, errors: dict) -> None:
    limit = PIN_TEXT_MAX[field]
    if len(text) > limit:
        errors.setdefault(field, []).append(
            f"This text is {len(text)} characters long; at most {limit} are accepted."
        )


def check_image_url(url: str, errors: dict, *, field: str = "image_url", prefix: str = "") -> None:
    # Pinterest fetches the image itself; only https is accepted (no plain-text fetches).
    if url and not url.lower().startswith("https://"):
        errors.setdefault(field, []).append(prefix + "Must be an https URL.")
    elif len(url) > URL_MAX:
        errors.setdefault(field, []).append(
            prefix + f"This URL is {len(url)} characters long; at most {URL_MAX} are accepted."
        )


def check_article_url(url: str, errors: dict, *, field: str = "url") -> None:
    # The url becomes the pin's link; Pinterest only links to web pages.
    if not url.lower().startswith(("http://", "https://")):
        errors.setdefault(field, []).append("Must be an http or https URL.")
    elif len(url) > URL_MAX:
        errors.setdefault(field, []).append(f"This URL is {len(url)} characters long; at most {URL_MAX} are accepted.")


def check_pin_link(link: str, errors: dict) -> None:
    """A pin's own link, as every way in takes it: blank (the article's URL) or an article-like URL."""
    if link:
        check_article_url(link, errors, field="link")


def check_article_title(title: str, errors: dict) -> None:
    if len(title) > ARTICLE_TITLE_MAX:
        errors.setdefault("title", []).append(
            f"This text is {len(title)} characters long; at most {ARTICLE_TITLE_MAX} are accepted."
        )


def pin_warnings(*, pin: Pin) -> list[dict[str, str]]:
    """What Pinterest will cut from this pin when it is published (text over its limits)."""
    warnings = []
    for field, limit in PINTEREST_TEXT_LIMITS.items():
        length = len(getattr(pin, field))
        if length > limit:
            warnings.append(
                {
                    "field": field,
                    "message": f"{field} is {length} characters; Pinterest allows {limit}, "
                    f"so it will be cut to {limit} when published.",
                }
            )
    return warnings
