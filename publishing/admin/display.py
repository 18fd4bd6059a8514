"""How a pin and a batch look in the admin and on its index: status colours, the "waiting"
badge, a pin's picture and the zone its times are shown in (the pin admin, the batch admin and
the dashboard template tags use them)."""

from datetime import datetime, tzinfo

from django.utils.html import format_html

from pinpublisher.admin_display import BAD, GOOD, INFO, NEUTRAL, WAITING, badge
from pinpublisher.timezones import shown_zone
from pinterest.conf import pinterest_settings
from pinterest.models import Health
from publishing.models import Pin, PinKind, PinStatus
from publishing.rules import waiting_reason

STATUS_COLORS: dict[str, str] = {
    PinStatus.DRAFT: NEUTRAL,
    PinStatus.READY_TO_SCHEDULE: INFO,
    PinStatus.PUBLISHING: WAITING,
    PinStatus.PUBLISHED: GOOD,
    PinStatus.ERROR: BAD,
    PinStatus.IN_REVIEW: WAITING,
}
WAITING_COLOR = WAITING
BATCH_OUTCOME_COLORS = {
    "pending": STATUS_COLORS[PinStatus.PUBLISHING],
    "published": STATUS_COLORS[PinStatus.PUBLISHED],
    "skipped": STATUS_COLORS[PinStatus.DRAFT],
    "failed": STATUS_COLORS[PinStatus.ERROR],
}


def _held_back_by(pin: Pin, now: datetime) -> str:
    """A due pin's waiting reason in two words (the badge; its tooltip has the whole reason)."""
    connection = pin.project.pinterest_connection
    if connection is None:
        return "no Pinterest account"
    return Health(connection.health(now=now)[0]).label.lower()


def waiting_badge(pin: Pin, now: datetime) -> str:
    """"Waiting: <why>" for a due pin something holds back ("" otherwise); the tooltip says it all."""
    reason = waiting_reason(pin, now)
    if not reason:
        return ""
    return badge(f"Waiting: {_held_back_by(pin, now)}", WAITING_COLOR, title=reason)


def pin_zone(pin: Pin) -> str | None:
    """The zone a pin's times are shown in: its project's once projects have one, else the server's."""
    return getattr(pin.project, "timezone", None)


PIN_TIMES = ("scheduled_at", "published_at", "publishing_started_at", "claimed_at", "created_at", "updated_at")


def pin_page_zone(pin: Pin) -> tzinfo:
    """The zone a pin's page shows (and its form reads) its times in: its project's (a stored name
    that is no zone reads as the server's, as in ``format_when``), or UTC when one of the pin's
    times has no date in the project's zone (beyond year 9999): never a page that fails."""
    return shown_zone(pin_zone(pin), *(getattr(pin, name) for name in PIN_TIMES))


def pin_image_url(pin: Pin) -> str:
    """The picture that stands for the pin: its image, a carousel's first, a video's cover."""
    if pin.kind == PinKind.CAROUSEL:
        first = next(iter(pin.carousel_items.all()), None)
        if first is None:
            return ""
        return first.image.url if first.image else first.image_url
    if pin.kind == PinKind.VIDEO:
        return pin.cover_image.url if pin.cover_image else pin.cover_image_url
    return pin.image.url if pin.image else pin.image_url


def pin_thumbnail(pin: Pin) -> str:
    url = pin_image_url(pin)
    if not url:
        return badge("video", "#555") if pin.kind == PinKind.VIDEO else "—"
    return format_html('<img class="pp-thumb" src="{}" alt="">', url)


def standin_pin_page(pin: Pin) -> str:
    """The demo's page for a pin on the local Pinterest stand-in ("" outside the demo)."""
    page = pinterest_settings.PINTEREST_STANDIN_PIN_PAGE
    return page.format(pin_id=pin.pinterest_pin_id) if page and pin.pinterest_pin_id else ""
