"""``manage.py demo_autopilot --feed-url URL``: the demo project follows the local blog with
autopilot on (``make run`` calls it); ``--status``: what autopilot did for it, as JSON."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from autopilot.services.demo import autopilot_demo_setup, autopilot_demo_status
from publishing.models import BlogProject


class Command(BaseCommand):
    help = "Turn autopilot on for the demo project with the local blog's feed, or print its status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed-url", default="", help="The local blog's feed (feeds.devserver).")
        parser.add_argument("--status", action="store_true", help="Print what autopilot did, as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["status"]:
                result = autopilot_demo_status()
            elif options["feed_url"]:
                result = autopilot_demo_setup(feed_url=options["feed_url"])
            else:
                raise CommandError("Give --feed-url or --status.")
        except BlogProject.DoesNotExist as err:
            raise CommandError("No demo project: run `manage.py seed_demo` first.") from err
        except ValidationError as err:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in err.message_dict.items())) from err
        self.stdout.write(json.dumps(result))
