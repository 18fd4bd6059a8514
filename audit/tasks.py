"""django-q2 entry point of the audit app (the daily ``purge-audit`` schedule)."""

from audit.services import audit_purge


def purge_audit() -> int:
    return audit_purge()
