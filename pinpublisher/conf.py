"""The project's settings as the project package reads them (its checks, its URLconf), here and
nowhere else (the API's request limits: ``pinpublisher.api``'s own conf).

``pinpublisher/settings.py`` (or Django itself) gives every name below a value, so there is no
default here: the apps' settings and their defaults live in each app's ``conf.py``. The system
checks read the secrets and the Pinterest app's credentials as ``settings.py`` set them, to say
what production is missing. Asking for a name not listed raises AttributeError. Values are read on
every access, so ``override_settings`` and pytest-django's ``settings`` fixture work as usual.
"""

from typing import Any

from django.conf import settings

NAMES = frozenset(
    {
        # Django's own.
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "MEDIA_URL",
        "MEDIA_ROOT",
        # settings.py's development defaults, refused by pinpublisher.checks with DEBUG off.
        "DEV_SECRET_KEY",
        "DEV_TOKEN_KEY",
        # What production must set, as settings.py read it from the environment.
        "PINPUBLISHER_TOKEN_KEYS",
        "PINTEREST_APP_ID",
        "PINTEREST_APP_SECRET",
        "PINTEREST_REDIRECT_URI",
        # Hot statements prepared on the server (``pinpublisher.statements``; settings.py: on).
        "PUBLISH_PREPARED_STATEMENTS",
    }
)


class ProjectSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in NAMES:
            raise AttributeError(f"{name} is not a setting the project package reads")
        return getattr(settings, name)


project_settings = ProjectSettings()
