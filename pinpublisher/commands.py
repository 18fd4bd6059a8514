"""What the management commands share."""

import os

from django.core.management.base import CommandError


def secret_from_env(name: str, *, strip: bool = True) -> str:
    """A secret (token, password) read from the environment variable ``name``, never from the
    command line, where it would land in shell history. Tokens are stripped of stray whitespace;
    a password (``strip=False``) is taken as it is. Raises CommandError when unset or empty."""
    value = os.environ.get(name, "")
    if strip:
        value = value.strip()
    if not value:
        raise CommandError(f"Environment variable {name} is not set or empty.")
    return value
