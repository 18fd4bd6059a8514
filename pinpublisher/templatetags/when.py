"""``{{ value|when }}`` / ``{{ value|when:zone }}``: a time with its zone (``pinpublisher.timezones``)."""

from django import template

from pinpublisher.timezones import format_when

register = template.Library()


@register.filter
def when(value, zone=None):
    return format_when(value, zone=zone)
