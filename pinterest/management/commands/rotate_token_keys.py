from argparse import ArgumentParser
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from pinterest.fields import TokenDecryptionError
from pinterest.services.rotation import KeyRotationResult, tokens_rotate_keys

#: Rows per transaction, at most.
MAX_BATCH_SIZE = 10_000

class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Pinterest token, and every other app's secret under the same keys "
        "(webhook signing secrets), under the first key of PINPUBLISHER_TOKEN_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then remove the old keys."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction.")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise CommandError(f"--batch-size must be 1..{MAX_BATCH_SIZE}.")
        verbosity = options["verbosity"]

        def progress(result: KeyRotationResult) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {result.rows_total} rows read, {result.rows_changed} to change")

        try:
            result = tokens_rotate_keys(dry_run=dry_run, batch_size=batch_size, progress=progress)
        except TokenDecryptionError as exc:
            raise CommandError(
                f"{exc} Earlier batches are done; fix the keys and run again (rows already under "
                "the first key are skipped)."
            ) from None
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.rows_changed} of {result.rows_total} connections"
                f"{' (dry run: nothing changed)' if dry_run else ''}."
            )
        )
        # Other apps' secrets under the same keys: one rotation, so none is left on a dropped key.
        # pinterest never imports them; the app registry names the configs that offer it.
        for config in apps.get_app_configs():
            if config.name == "pinterest" or not hasattr(config, "rotate_encrypted_keys"):
                continue
            try:
                label, other = config.rotate_encrypted_keys(dry_run=dry_run, batch_size=batch_size)
            except TokenDecryptionError as exc:
                raise CommandError(f"{exc} Earlier batches are done; fix the keys and run again.") from None
            self.stdout.write(self.style.SUCCESS(f"{verb} {other.rows_changed} of {other.rows_total} {label}."))
