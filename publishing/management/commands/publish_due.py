import json
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from publishing.engine import pins_due_preview, pins_publish_due
from publishing.engine.queue import enqueue_publish_due

#: The most pins one run may be told to claim (a run stops at its budget long before).
MAX_LIMIT = 1_000_000


class _AccountCounts(Protocol):
    """What the progress line reads of an account's report."""

    published: int
    failed: int


class Command(BaseCommand):
    help = (
        "Publish every due pin now (the same sweep django-q2 runs every PUBLISH_SWEEP_MINUTES), "
        "for plain cron. Exits 0 when the sweep ran, whatever happened to each pin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the due pins; change nothing.")
        parser.add_argument("--limit", type=int, help="Publish at most N pins in this run.")
        parser.add_argument("--json", action="store_true", help="Print the summary as one JSON object.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Do not sweep here: queue one sweep for the django-q2 worker now (as the schedule would).",
        )

    def handle(self, *args: object, dry_run: bool, limit: int | None, **options: Any) -> None:
        if limit is not None and not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit must be 1..{MAX_LIMIT}.")
        as_json = options["json"]
        if options["enqueue"]:
            task_id = enqueue_publish_due()
            self.stdout.write(f"Queued a sweep for the django-q2 worker (task {task_id}).")
            return
        try:
            if dry_run:
                due = pins_due_preview(limit=limit)
                if as_json:
                    self.stdout.write(json.dumps({"dry_run": True, "total": len(due), "pins": due}))
                    return
                for pin in due:
                    self.stdout.write(
                        f"would publish {pin['pin_id']} '{pin['title']}' to {pin['board']} via "
                        f"{pin['connection']} (scheduled {pin['scheduled_at']})"
                    )
                self.stdout.write(f"{len(due)} due pins; dry run, nothing changed.")
                return

            def progress(connection: str, report: _AccountCounts, stopped: str | None) -> None:
                if not as_json:
                    line = f"  {connection}: {report.published} published, {report.failed} failed"
                    self.stdout.write(line + (f" (stopped: {stopped})" if stopped else ""))

            summary = pins_publish_due(limit=limit, progress=progress)
        except DatabaseError as exc:
            raise CommandError(f"The sweep could not run: {exc}") from None
        if as_json:
            self.stdout.write(json.dumps(summary, default=str))
            return
        for detail in summary["details"]:
            if not detail["success"]:
                self.stdout.write(
                    f"  {detail['pin_id']} ({detail['connection']}): {detail['status']}: {detail['error']}"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary['total']} pins: {summary['published']} published, {summary['failed']} failed, "
                f"{summary['released']} back to the schedule, {summary['reconciled']} recovered, "
                f"{summary['resumed']} stalled batch pins resumed."
            )
        )
