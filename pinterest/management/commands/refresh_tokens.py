import json
import math
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pinterest.conf import pinterest_settings
from pinterest.services.refresh import connections_refresh_expiring, connections_refresh_retry_due

#: The widest window asked for: ten years (no refresh token lives that long).
MAX_WITHIN_DAYS = 3650

class Command(BaseCommand):
    help = (
        "Refresh the tokens of active Pinterest connections whose access token or refresh token "
        "expires within --within-days (default TOKEN_REFRESH_WITHIN_DAYS, 7). Each connection is "
        "refreshed on its own; one failing never stops the others. A connection Pinterest refuses "
        "becomes inactive with last_error set; one it cannot reach stays active and is tried again "
        "later (--retry-due does that: run it every 15 minutes from cron). Exits with status 1 when "
        "any refresh failed for good."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--within-days", type=float, default=None,
            help=f"Expiry window in days (default {pinterest_settings.TOKEN_REFRESH_WITHIN_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List what would be refreshed; change nothing.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the summary as JSON.")
        parser.add_argument(
            "--retry-due", action="store_true",
            help="Only try again the refreshes that failed for a passing reason and are due.",
        )

    def handle(
        self, *args: Any, within_days: float | None, dry_run: bool, as_json: bool, retry_due: bool, **options: Any
    ) -> None:
        if retry_due:
            if dry_run:
                raise CommandError("--retry-due cannot be combined with --dry-run.")
            summary = connections_refresh_retry_due()
            self.stdout.write(json.dumps(summary, indent=2, sort_keys=True) if as_json else (
                f"{summary['total']} refresh(es) due again: {summary['refreshed']} refreshed, "
                f"{summary['retrying']} still failing (tried again later), {summary['failed']} failed."
            ))
            if summary["failed"]:
                raise CommandError(f"{summary['failed']} token refreshes failed for good (see above).")
            return
        if within_days is None:
            within_days = pinterest_settings.TOKEN_REFRESH_WITHIN_DAYS
        if within_days < 0:
            raise CommandError("--within-days must not be negative.")
        if not math.isfinite(within_days) or within_days > MAX_WITHIN_DAYS:
            # A window no token has (inf, nan, 1e300 would not even make a timedelta).
            raise CommandError(f"--within-days must be a number of days from 0 to {MAX_WITHIN_DAYS}.")
        summary = connections_refresh_expiring(within=timedelta(days=within_days), dry_run=dry_run)
        if as_json:
            self.stdout.write(json.dumps({**summary, "dry_run": dry_run}, indent=2, sort_keys=True))
        else:
            for detail in summary["details"]:
                line = f"  {detail['connection']} (id {detail['connection_id']}): {detail['status']}"
                if detail["error"]:
                    line += f": {detail['error']}"
                self.stdout.write(line)
            if dry_run:
                self.stdout.write(
                    f"Dry run: {summary['total']} connection(s) expiring within {within_days:g} days "
                    "would be refreshed; nothing changed."
                )
            else:
                style = self.style.ERROR if summary["failed"] else self.style.SUCCESS
                self.stdout.write(
                    style(
                        f"{summary['total']} connection(s) expiring within {within_days:g} days: "
                        f"{summary['refreshed']} refreshed, {summary['failed']} failed, "
                        f"{summary['retrying']} to be tried again, {summary['skipped']} skipped."
                    )
                )
        if summary["failed"]:
            raise CommandError(f"{summary['failed']} of {summary['total']} token refreshes failed (see above).")
