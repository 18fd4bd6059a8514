"""Times as people read them: always with their zone.

``format_when(value, zone=...)`` shows a datetime in ``zone`` (a tzinfo or an IANA name such as
"Europe/Paris"; default: the current zone, the server's ``TIME_ZONE``) in the admin's date format,
which names the zone ("Nov. 30, 2026, 10:08 p.m. CET"). Pass a project's zone where one is known
(``zone=project.timezone``); the ``when`` template filter (``{% load when %}``,
``{{ pin.scheduled_at|when:project.timezone }}``) is the same for templates.

``shown_zone(zone, *values)`` is the one fallback of every page that shows times: ``zone``, or UTC
when one of ``values`` has no date there (after year 9999 east of UTC, a row stored before the
schedule window); a stored name that is no zone reads as the server's. ``format_when`` and the
calendar use it, and say which zone they show (``zone_name``), so showing a time never fails.

``zone_name_problem(name)`` is the one rule for a zone a person chooses (a project's, through the
API or the admin): an IANA name, not any file ``zoneinfo`` happens to load.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone
from django.utils.formats import date_format

EMPTY = "—"

#: Names that load as zones from the system's zoneinfo directory but are no zone a person means:
#: the host's own setting (``localtime``, whatever the server was set to), tzdata's placeholder
#: with the abbreviation "-00" (``Factory``), and the compiled variants (``posix/...``, and
#: ``right/...``, which counts leap seconds and so is off by half a minute from every clock).
NOT_MEANT = frozenset({"localtime", "Factory", "posixrules"})
NOT_MEANT_PREFIXES = ("posix/", "right/")


@functools.cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_name_problem(name: object) -> str | None:
    """Why ``name`` is not a time zone a person may choose, or None when it is: an IANA name that
    ``zoneinfo`` knows (``Europe/Berlin``, ``UTC``, the old links such as ``US/Pacific``), never a
    path, a name of ``NOT_MEANT`` or one under ``NOT_MEANT_PREFIXES``."""
    refusal = f"{name!r} is not a time zone name; give an IANA name such as Europe/Berlin or UTC."
    if not isinstance(name, str) or name in NOT_MEANT or name.startswith(NOT_MEANT_PREFIXES):
        return refusal
    if name not in _iana_names():
        return refusal
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return refusal
    return None


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


def shown_zone(zone: tzinfo | str | None, *values: datetime | None) -> tzinfo:
    """The zone ``values`` are shown in: ``zone_of(zone)``, or UTC when one of them has no date in
    it (``9999-12-31 23:30 UTC`` is in year 10000 in Berlin). Never raises."""
    chosen = zone_of(zone)
    for value in values:
        if value is not None and timezone.is_aware(value):
            try:
                value.astimezone(chosen)
            except OverflowError:
                return UTC
    return chosen


def zone_name(zone: tzinfo) -> str:
    """An IANA name ("Europe/Berlin") for a zone from ``zoneinfo``, "UTC" for ``datetime.UTC``."""
    return getattr(zone, "key", None) or str(zone)


def format_when(value: datetime | None, *, zone: tzinfo | str | None = None) -> str:
    """``value`` in ``shown_zone(zone, value)``, formatted with that zone's name; "—" for None."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value, shown_zone(zone, value)) if timezone.is_aware(value) else value
    return date_format(local, "DATETIME_FORMAT")
