import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pinpublisher.commands import secret_from_env
from pinterest.errors import ConnectError, PinterestError
from publishing.services.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo tenant: its owner, a staff user (new password each run), an API key (new each run, the "
        "previous one revoked), a project with "
        "5 articles, a Pinterest connection (from --token-env) with its boards, and 12 pins that show "
        "every outcome. Safe to run twice: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--token-env",
            metavar="VAR",
            help="Environment variable holding the Pinterest access token to connect (the stand-in's demo "
            "user, or a sandbox token). Without it the pins stay drafts until you connect through OAuth.",
        )
        parser.add_argument("--refresh-token-env", metavar="VAR", help="Environment variable with its refresh token.")
        parser.add_argument(
            "--reset", action="store_true",
            help="Start the demo tenant over first: delete its pins, batches, projects and Pinterest connections "
            "(make run does, since its stand-in starts empty each time).",
        )
        parser.add_argument(
            "--superuser", action="store_true",
            help="Make the demo login a superuser (sees every tenant). Default: the demo tenant's owner (staff).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: object, **options: Any) -> None:
        access = secret_from_env(options["token_env"]) if options["token_env"] else ""
        refresh = secret_from_env(options["refresh_token_env"]) if options["refresh_token_env"] else ""
        try:
            seeded = demo_seed(
                access_token=access, refresh_token=refresh, reset=options["reset"], superuser=options["superuser"]
            )
        except (ConnectError, PinterestError) as exc:
            raise CommandError(f"Could not connect the demo Pinterest account: {exc}") from None
        result = {
            "tenant": seeded.tenant.name,
            "username": seeded.username,
            "password": seeded.password,
            "api_key": seeded.api_key,
            "connection": str(seeded.connection) if seeded.connection else None,
            "pins_created": seeded.pins_created,
            "pins_total": seeded.pins_total,
            "due_pin_ids": seeded.due_pin_ids,
            "refused_pin_id": seeded.refused_pin_id,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(self.style.SUCCESS(f"Demo tenant '{seeded.tenant.name}' is ready."))
        self.stdout.write(f"  admin login: {seeded.username} / {seeded.password}")
        self.stdout.write(f"  API key:     {seeded.api_key}   (shown once)")
        self.stdout.write(f"  connection:  {result['connection'] or 'none (connect at /pinterest/connect/)'}")
        self.stdout.write(f"  pins:        {seeded.pins_created} created, {seeded.pins_total} in the demo project")
