"""System checks: production refuses to start with development secrets.

With DEBUG off, ``manage.py check`` (and so runserver, migrate and qcluster) fails
with an error naming each missing secret; with DEBUG on, the development defaults
are allowed and a warning says they are in use.
"""

from collections.abc import Sequence

from cryptography.fernet import Fernet
from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from pinpublisher.conf import project_settings


def _key_problem(key: str) -> str | None:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return "is not a valid Fernet key (32 url-safe base64-encoded bytes)"
    return None


@register(Tags.security, deploy=False)
def check_secrets(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for index, key in enumerate(project_settings.PINPUBLISHER_TOKEN_KEYS):
        problem = _key_problem(key)
        if problem:
            messages.append(
                Error(
                    f"PINPUBLISHER_TOKEN_KEYS entry {index + 1} {problem}.",
                    hint='Generate one with: python -c "from cryptography.fernet import '
                    'Fernet; print(Fernet.generate_key().decode())"',
                    id="pinpublisher.E003",
                )
            )
    dev_secret = project_settings.SECRET_KEY == project_settings.DEV_SECRET_KEY
    dev_keys = project_settings.DEV_TOKEN_KEY in project_settings.PINPUBLISHER_TOKEN_KEYS
    if project_settings.DEBUG:
        if dev_secret or dev_keys:
            messages.append(
                Warning(
                    "DEBUG is on and development secrets are in use "
                    "(SECRET_KEY and/or PINPUBLISHER_TOKEN_KEYS); never run production like this.",
                    id="pinpublisher.W001",
                )
            )
        return messages
    if dev_secret:
        messages.append(
            Error(
                "SECRET_KEY is missing or is the development default, and DEBUG is off.",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="pinpublisher.E001",
            )
        )
    if dev_keys:
        messages.append(
            Error(
                "PINPUBLISHER_TOKEN_KEYS is missing or contains the development key, and DEBUG is off.",
                hint="Set PINPUBLISHER_TOKEN_KEYS to one or more comma-separated Fernet keys; "
                "the first encrypts, all decrypt.",
                id="pinpublisher.E002",
            )
        )
    missing_app = [
        name
        for name in ("PINTEREST_APP_ID", "PINTEREST_APP_SECRET", "PINTEREST_REDIRECT_URI")
        if not getattr(project_settings, name)
    ]
    if missing_app:
        messages.append(
            Warning(
                f"{', '.join(missing_app)} not set: connecting accounts through OAuth and refreshing "
                "tokens will fail (tokens added with add_connection still publish until they expire).",
                hint="Create a Pinterest app and set its id, secret and redirect URI (see README).",
                id="pinpublisher.W002",
            )
        )
    if not project_settings.ALLOWED_HOSTS:
        messages.append(
            Error(
                "ALLOWED_HOSTS is empty and DEBUG is off.",
                hint="Set ALLOWED_HOSTS to the comma-separated host names this service answers.",
                id="pinpublisher.E004",
            )
        )
    return messages
