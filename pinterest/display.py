"""How a connection's health looks in the admin and on its index: a colour per health and the
badge whose tooltip is what a person reads about it (``PinterestConnection.health``)."""

from datetime import datetime

from django.utils.safestring import SafeString

from pinpublisher.admin_display import BAD, GOOD, NEUTRAL, WAITING, badge
from pinterest.models import Health, PinterestConnection

HEALTH_COLORS: dict[str, str] = {
    Health.OK: GOOD,
    Health.REFRESH_FAILING: WAITING,
    Health.NEEDS_RECONNECT: BAD,
    Health.SPAM_BLOCKED: BAD,
    Health.EXPIRY_UNKNOWN: NEUTRAL,
}


def health_badge(connection: PinterestConnection, *, now: datetime | None = None) -> SafeString:
    value, detail = connection.health(now=now)
    return badge(Health(value).label, HEALTH_COLORS[value], title=detail)
