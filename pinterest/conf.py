"""The pinterest app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads each name from the environment (``None`` when unset);
the defaults live here, once. Asking for a name this app does not own raises
AttributeError. Values are read on every access, so ``override_settings`` and
pytest-django's ``settings`` fixture work as usual.
"""

from typing import Any

from django.conf import settings

DEFAULTS = {
    "PINTEREST_API_BASE": "https://api.pinterest.com/v5",
    "PINTEREST_OAUTH_AUTHORIZE_URL": "https://www.pinterest.com/oauth/",
    "PINTEREST_APP_ID": "",
    "PINTEREST_APP_SECRET": "",
    "PINTEREST_REDIRECT_URI": "",
    "PINTEREST_CONNECT_TIMEOUT_SECONDS": 5.0,
    "PINTEREST_READ_TIMEOUT_SECONDS": 30.0,
    #: At least this long between two pin creations of one Pinterest account (0: no pacing).
    "PINTEREST_PUBLISH_INTERVAL_SECONDS": 10.0,
    #: The client reads no more of an answer (Pinterest's or the upload host's) than this.
    "PINTEREST_MAX_ANSWER_BYTES": 10 * 1024 * 1024,
    "TOKEN_REFRESH_WITHIN_DAYS": 7,
    "TOKEN_REFRESH_BACKOFF_SECONDS": 2.0,
    #: A person's "refresh now" (API, admin action) waits at most this long in all for Pinterest's
    #: Retry-After and the backoff; a longer wait is answered at once with when to try again.
    "TOKEN_REFRESH_MAX_WAIT_SECONDS": 15.0,
    #: A 429 that says the account is blocked for spam stops its publishing this long.
    "PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS": 24.0,
    #: Fernet keys for tokens at rest; the first encrypts, all decrypt (``pinterest.fields``).
    "PINPUBLISHER_TOKEN_KEYS": (),
    #: The demo only (``make run``): the local stand-in's page of a published pin, ``{pin_id}`` in it;
    #: the admin links to it next to the pin's (stored) Pinterest URL. Empty: no such link.
    "PINTEREST_STANDIN_PIN_PAGE": "",
}


class PinterestSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the pinterest app")
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


pinterest_settings = PinterestSettings()
