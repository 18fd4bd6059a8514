"""The accounts app's settings, read here and nowhere else.

Its own names and their defaults (``DEFAULTS``), and Django's names it reads as Django set them.
Asking for any other name raises AttributeError. Values are read on every access, so
``override_settings`` works as usual. The login throttling's own settings are django-axes's
(``AXES_*`` in ``pinpublisher/settings.py``); this app reads none of them but the two it shows.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # How long an invitation's link works.
    "INVITATION_TTL_HOURS": 72,
    # The name an authenticator app shows beside the account (the otpauth URI's issuer).
    "TWO_FACTOR_ISSUER": "pinpublisher",
    # The proxies in front of the service that append to X-Forwarded-For (0: the peer's address
    # is the client's). The login throttling counts failures per client address.
    "LOGIN_PROXY_COUNT": 0,
}

#: Django's own settings this app reads, as they are (Django or the project gives each a value).
DJANGO_NAMES = frozenset({
    "AUTH_USER_MODEL", "SESSION_ENGINE", "SESSION_COOKIE_AGE", "AUTHENTICATION_BACKENDS", "DEFAULT_FROM_EMAIL",
    "AXES_ENABLED", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME",
})


class AccountsSettings:
    def __getattr__(self, name: str) -> Any:
        if name in DEFAULTS:
            value = getattr(settings, name, None)
            return DEFAULTS[name] if value is None else value
        if name not in DJANGO_NAMES:
            raise AttributeError(f"{name} is not a setting of the accounts app")
        return getattr(settings, name)


accounts_settings = AccountsSettings()
