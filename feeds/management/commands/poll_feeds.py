"""``manage.py poll_feeds [--feed ID]``: poll the due feeds (or one, due or not) now, in this process."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from feeds.services.polling import feed_poll, feeds_claim_due


class Command(BaseCommand):
    help = "Poll every due feed now (or one feed, due or not) and turn new and edited entries into articles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed", metavar="ID", help="Only this feed (its id), due or not.")

    def handle(self, *args: object, **options: Any) -> None:
        raw = options["feed"]
        if raw is not None and (not raw.strip().isdigit() or int(raw) < 1):
            raise CommandError(f"--feed must be a feed's id (a positive whole number), not {raw!r}.")
        ids = [int(raw)] if raw is not None else feeds_claim_due()
        failed = 0
        for feed_id in ids:
            report = feed_poll(feed_id=feed_id)
            if report.outcome == "gone":
                raise CommandError(f"No feed {feed_id}.")
            failed += report.outcome == "failed"
            self.stdout.write(report.summary())
        self.stdout.write(f"{len(ids)} feed(s) polled, {failed} failed.")
