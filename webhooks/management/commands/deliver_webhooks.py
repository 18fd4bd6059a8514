"""Send the due webhook deliveries now (for plain cron, or by hand)."""

import json
from argparse import ArgumentParser
from typing import TypedDict, Unpack

from django.core.management.base import BaseCommand

from webhooks.services.delivery import deliveries_send_due


class Options(TypedDict):
    """The options ``add_arguments`` declares, as ``handle`` gets them."""

    json: bool


class Command(BaseCommand):
    help = "Sends every due webhook delivery (what the deliver-due-webhooks schedule does every minute)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: str, **options: Unpack[Options]) -> None:
        report = deliveries_send_due().as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self.stdout.write(
                f"{report['claimed']} sent: {report['delivered']} delivered, {report['failed_attempts']} failed "
                f"({report['given_up']} given up); endpoints disabled: {len(report['disabled_endpoints'])}"
            )
