"""django-q2 entry points of the analytics app: thin, they take ids and call services."""

from analytics.queue import enqueue_connection_sync, schedule_connection_resume
from analytics.selectors import connections_to_sync
from analytics.services.sync import connection_sync_analytics


def sync_all_analytics() -> int:
    """The daily job: one task per active connection; returns how many were queued."""
    ids = connections_to_sync()
    for connection_id in ids:
        enqueue_connection_sync(connection_id=connection_id)
    return len(ids)


def sync_connection_analytics(connection_id: int) -> str:
    """Sync one connection; when Pinterest asked to wait, the resume is scheduled, not slept. When
    another sync of it is running (a "Sync now", the daily job's), this one skips (the report says so)."""
    report = connection_sync_analytics(connection_id=connection_id)
    if report.resume_at is not None:
        schedule_connection_resume(connection_id=connection_id, at=report.resume_at)
    return report.summary()
