"""The apikeys app's settings, read here and nowhere else.

The app owns no setting of its own yet; it reads Django's ``AUTH_USER_MODEL`` (a key's owner),
which Django always sets, so there is no default here. Asking for any other name raises
AttributeError. Values are read on every access, so ``override_settings`` works as usual.
"""

from typing import Any

from django.conf import settings

#: Django's own settings this app reads, as they are (Django gives each a value).
DJANGO_NAMES = frozenset({"AUTH_USER_MODEL"})


class ApikeysSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DJANGO_NAMES:
            raise AttributeError(f"{name} is not a setting of the apikeys app")
        return getattr(settings, name)


apikeys_settings = ApikeysSettings()
