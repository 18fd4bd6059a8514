"""The audit app's settings, read here and nowhere else (defaults once; ``override_settings`` works)."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: Events older than this many days are purged daily (``purge-audit``) and by ``manage.py purge_audit``.
    "AUDIT_RETENTION_DAYS": 365,
    #: A write with no known actor raises instead of being recorded as "unknown" (the tests turn it on).
    "AUDIT_REFUSE_UNKNOWN_ACTOR": False,
}


class AuditSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the audit app")
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


audit_settings = AuditSettings()
