"""The project settings ``pinpublisher.api`` reads, read here and nowhere else.

Django's own limits on what a request may carry; the error answers name them. Read on every
access, so ``override_settings`` and pytest-django's ``settings`` fixture work as usual.
"""

from typing import Any

from django.conf import settings

NAMES = ("DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DATA_UPLOAD_MAX_NUMBER_FILES")


class ApiConf:
    def __getattr__(self, name: str) -> Any:
        if name not in NAMES:
            raise AttributeError(f"{name} is not a setting pinpublisher.api reads")
        return getattr(settings, name)


api_conf = ApiConf()
