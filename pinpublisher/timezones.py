"""Times as people read them: always with their zone.

``format_when(value, zone=...)`` shows a datetime in ``zone`` (a tzinfo or an IANA name such as
"Europe/Paris"; default: the current zone, the server's ``TIME_ZONE``) in the admin's date format,
which names the zone ("Nov. 30, 2026, 10:08 p.m. CET"). Pass a project's zone where one is known
(``zone=project.timezone``); the ``when`` template filter (``{% load when %}``,
``{{ pin.scheduled_at|when:project.timezone }}``) is the same for templates.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.formats import date_format

EMPTY = "—"


def zone_of(zone: tzinfo | str | None) -> tzinfo:
    """``zone`` as a tzinfo: an IANA name, a tzinfo, or None / "" / an unknown name for the
    current zone (a bad name in stored data must not break a page)."""
    if isinstance(zone, tzinfo):
        return zone
    if zone:
        try:
            return ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def format_when(value: datetime | None, *, zone: tzinfo | str | None = None) -> str:
    """``value`` in ``zone``, formatted with the zone's name; "—" for None."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value, zone_of(zone)) if timezone.is_aware(value) else value
    return date_format(local, "DATETIME_FORMAT")
