"""English date formats with the time zone named: every time the admin shows (lists, read-only
fields, templates' ``date`` filter) says which zone it is in ("Nov. 30, 2026, 10:08 p.m. UTC").
Django's own English formats otherwise; ``FORMAT_MODULE_PATH`` points here."""

from django.conf.locale.en.formats import *  # noqa: F401,F403

DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
