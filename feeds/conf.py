"""The feeds app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads each name from the environment (``None`` when unset); the
defaults live here, once. Asking for a name this app does not own raises AttributeError.
Values are read on every access, so ``override_settings`` works as usual.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: A feed is polled this often (minutes) while it answers.
    "FEEDS_POLL_MINUTES": 30,
    #: Development, tests and the demo's local blog only: fetch from loopback and private addresses.
    #: None: on when DEBUG is on. Production leaves it off (webhooks' rule, ``pinpublisher.addresses``).
    "FEEDS_ALLOW_LOCAL_ADDRESSES": None,
    #: The whole of one fetch (every redirect, every read of the body).
    "FEEDS_FETCH_DEADLINE_SECONDS": 20.0,
    "FEEDS_CONNECT_TIMEOUT_SECONDS": 5.0,
    "FEEDS_READ_TIMEOUT_SECONDS": 10.0,
    #: A feed or page larger than this (as sent, or once decompressed) is refused.
    "FEEDS_MAX_BYTES": 5 * 1024 * 1024,
    "FEEDS_MAX_REDIRECTS": 5,
    #: A failing feed waits ``FEEDS_POLL_MINUTES * 2 ** failures``, at most this many minutes.
    "FEEDS_BACKOFF_MAX_MINUTES": 24 * 60,
    #: New entries whose page is fetched for its metadata per poll (the rest wait for the next one).
    "FEEDS_PAGES_PER_POLL": 10,
    #: At most this many feeds per project.
    "FEEDS_MAX_PER_PROJECT": 10,
}

DJANGO_NAMES = frozenset({"DEBUG"})


class FeedsSettings:
    def __getattr__(self, name: str) -> Any:
        if name in DJANGO_NAMES:
            return getattr(settings, name)
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the feeds app")
        value = getattr(settings, name, None)
        if value is None:
            value = DEFAULTS[name]
        if name == "FEEDS_ALLOW_LOCAL_ADDRESSES" and value is None:
            value = bool(self.DEBUG)
        return value


feeds_settings = FeedsSettings()
