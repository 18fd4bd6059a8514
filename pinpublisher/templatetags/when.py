"""``{{ value|when }}`` / ``{{ value|when:zone }}``: a time with its zone (``pinpublisher.timezones``)."""

from datetime import datetime, tzinfo

from django import template

from pinpublisher.timezones import format_when

register = template.Library()


@register.filter
def when(value: datetime | None, zone: tzinfo | str | None = None) -> str:
    return format_when(value, zone=zone)
