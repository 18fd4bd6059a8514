"""``manage.py sync_analytics [--connection ID] [--days N]``: sync now, in this process (for cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.selectors import connection_exists, connections_to_sync
from analytics.services.sync import connection_sync_analytics
from analytics.services.windows import RETENTION_DAYS


def _positive(name: str, value: str | None, *, most: int | None = None) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) < 1 or (most is not None and int(value) > most):
        bound = f"1 to {most}" if most else "a positive whole number"
        raise CommandError(f"--{name} must be {bound}, not {value!r}.")
    return int(value)


class Command(BaseCommand):
    help = (
        "Fetch Pinterest's daily metrics of every active connection's account and published pins "
        "(or one connection's): days already final are not fetched again, the last revised days are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Read as text and judged in handle(): bad input is one readable line, not argparse's usage.
        parser.add_argument("--connection", metavar="ID", help="Only this connection (its id).")
        parser.add_argument(
            "--days", metavar="N", help=f"Fetch the last N days again even if final (1 to {RETENTION_DAYS})."
        )

    def handle(self, *args: object, **options: Any) -> None:
        connection_id = _positive("connection", options["connection"])
        days = _positive("days", options["days"], most=RETENTION_DAYS)
        if connection_id is not None and not connection_exists(connection_id=connection_id):
            raise CommandError(f"No Pinterest connection {connection_id}.")
        ids = [connection_id] if connection_id is not None else connections_to_sync()
        for pk in ids:
            self.stdout.write(connection_sync_analytics(connection_id=pk, days=days).summary())
        self.stdout.write(f"{len(ids)} connection(s) synced.")
