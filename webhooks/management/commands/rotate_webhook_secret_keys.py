from django.core.management.base import BaseCommand, CommandError

from pinterest.fields import TokenDecryptionError
from webhooks.services.keys import secrets_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every webhook signing secret under the first key of PINPUBLISHER_TOKEN_KEYS "
        "(run it with rotate_token_keys, before removing the old keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction.")

    def handle(self, *args, dry_run, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            result = secrets_rotate_keys(dry_run=dry_run, batch_size=batch_size)
        except TokenDecryptionError as exc:
            raise CommandError(f"{exc} Earlier batches are done; fix the keys and run again.") from None
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result.rows_changed} of {result.rows_total} signing secrets."))
