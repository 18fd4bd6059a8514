from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.services.two_factor import SecretsRotated


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members and login"

    def ready(self) -> None:
        from accounts import checks, receivers  # noqa: F401  (the checks; sessions recorded, the two-factor step)

    def rotate_encrypted_keys(self, *, dry_run: bool, batch_size: int) -> tuple[str, SecretsRotated]:
        """Re-encrypt the two-factor secrets, for ``manage.py rotate_token_keys``, which asks every
        app config that has this method."""
        from accounts.services.two_factor import secrets_rotate_keys

        return "two-factor secrets", secrets_rotate_keys(dry_run=dry_run, batch_size=batch_size)
