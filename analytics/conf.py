"""The analytics app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads each name from the environment (``None`` when unset); the
defaults live here, once. Asking for a name this app does not own raises AttributeError.
Values are read on every access, so ``override_settings`` works as usual.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: The last this many days before today are fetched again at every sync: Pinterest revises
    #: them. Older days that Pinterest called READY are final and never fetched again.
    "ANALYTICS_REVISED_DAYS": 3,
    #: A 429 whose Retry-After is at most this long is waited out in the worker; a longer one
    #: stops the connection's sync, which resumes (a one-off schedule) when Pinterest allows.
    "ANALYTICS_MAX_WAIT_SECONDS": 10.0,
    #: A 429 without Retry-After waits this long.
    "ANALYTICS_RATE_LIMIT_BACKOFF_SECONDS": 60.0,
    #: Pinterest failed or could not be reached: the connection's sync resumes after this long.
    "ANALYTICS_RETRY_SECONDS": 900.0,
    #: One sync of a connection at a time: a sync holds the connection's lease this long at most
    #: without renewing it (it renews between pins); a worker that died frees it after this.
    "ANALYTICS_SYNC_LEASE_SECONDS": 1800.0,
    #: A weekday-and-hour cell is suggested as a posting time only with at least this many pins.
    "ANALYTICS_SUGGEST_MIN_PINS": 3,
    #: No posting time is suggested before the project has this many pins with metrics in all.
    "ANALYTICS_SUGGEST_MIN_TOTAL_PINS": 10,
    #: At most this many cells are suggested as weekly slots.
    "ANALYTICS_SUGGEST_SLOTS": 3,
}


class AnalyticsSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the analytics app")
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


analytics_settings = AnalyticsSettings()
