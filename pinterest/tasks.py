"""django-q2 entry points of the pinterest app: they call services, nothing more.

``refresh_expiring_connections`` is the daily job (02:00 UTC, registered in
``publishing.schedules``). Running it twice is harmless: a connection refreshed by the
first run no longer expires within the window, so the second skips it.
"""

from datetime import timedelta

from pinterest.conf import pinterest_settings
from pinterest.services.boards import connections_sync_boards
from pinterest.services.refresh import connections_refresh_expiring, connections_refresh_retry_due


def refresh_expiring_connections(within_days: int | None = None) -> dict:
    """Refresh active connections expiring within TOKEN_REFRESH_WITHIN_DAYS (7) days.

    Then syncs every active connection's boards and their sections, so pins can name sections
    made on Pinterest since. Returns the summary ``{total, refreshed, failed, skipped,
    details, boards}`` (kept by django-q2 as the task's result; it holds no token).
    """
    days = pinterest_settings.TOKEN_REFRESH_WITHIN_DAYS if within_days is None else within_days
    summary = connections_refresh_expiring(within=timedelta(days=days))
    summary["boards"] = connections_sync_boards()
    return summary


def retry_failing_refreshes() -> dict:
    """Try again the refreshes that failed for a passing reason and are due (every 15 minutes)."""
    summary = connections_refresh_retry_due()
    return {key: value for key, value in summary.items() if key != "details"}
