"""``manage.py rebuild_analytics_rollups [--project ID]``: the dashboard's rollups recomputed from
the daily rows (as the migration's backfill does), for rows written by other means than the sync
(a restore, a hand-made fix)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.selectors import project_exists
from analytics.services.rollup import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the analytics dashboard's rollups from the daily rows (every project's, or one's)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", metavar="ID", help="Only this project (its id).")

    def handle(self, *args: object, **options: Any) -> None:
        raw = options["project"]
        if raw is not None and (not raw.strip().isdigit() or int(raw) < 1):
            raise CommandError(f"--project must be a positive whole number, not {raw!r}.")
        project_id = int(raw) if raw is not None else None
        if project_id is not None and not project_exists(project_id=project_id):
            raise CommandError(f"No project {project_id}.")
        rollups_rebuild(project_id=project_id)
        self.stdout.write(f"Rollups rebuilt for {f'project {project_id}' if project_id else 'every project'}.")
