import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pinpublisher.commands import secret_from_env
from pinterest.errors import ConnectError, PinterestError
from publishing.services.demo import demo_seed


def _history(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            history = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"--history-json: cannot read {path}: {exc}") from None
    if not isinstance(history, list) or not all(
        isinstance(pin, dict) and {"id", "board_id", "created_at"} <= pin.keys() and _aware(pin["created_at"])
        for pin in history
    ):
        raise CommandError("--history-json must hold a list of {id, board_id, created_at (ISO 8601 with an offset)}.")
    return history


def _aware(value: object) -> bool:
    try:
        return datetime.fromisoformat(str(value)).tzinfo is not None
    except ValueError:
        return False


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
        parser.add_argument(
            "--history-json", metavar="PATH",
            help="A JSON list of the account's past pins ({id, board_id, created_at}, as the stand-in's "
            "seed_demo_history answers) to record as the demo project's published pins (make run passes it).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: object, **options: Any) -> None:
        access = secret_from_env(options["token_env"]) if options["token_env"] else ""
        refresh = secret_from_env(options["refresh_token_env"]) if options["refresh_token_env"] else ""
        history = _history(options["history_json"]) if options["history_json"] else None
        try:
            seeded = demo_seed(
                access_token=access, refresh_token=refresh, reset=options["reset"], superuser=options["superuser"],
                history=history,
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
            "connection_id": seeded.connection.pk if seeded.connection else None,
            "project_id": seeded.project_id,
            "history_pins": seeded.history_pins,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(self.style.SUCCESS(f"Demo tenant '{seeded.tenant.name}' is ready."))
        self.stdout.write(f"  admin login: {seeded.username} / {seeded.password}")
        self.stdout.write(f"  API key:     {seeded.api_key}   (shown once)")
        self.stdout.write(f"  connection:  {result['connection'] or 'none (connect at /pinterest/connect/)'}")
        self.stdout.write(f"  pins:        {seeded.pins_created} created, {seeded.pins_total} in the demo project")
        if seeded.history_pins:
            self.stdout.write(f"  history:     {seeded.history_pins} past pins recorded as published")
