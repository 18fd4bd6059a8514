"""The ops app's settings, read here and nowhere else (see ``publishing.conf`` for the pattern)."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: The bearer token /metrics requires; empty: /metrics answers 404 (off).
    "METRICS_TOKEN": "",
    #: Networks (CIDRs) /metrics answers, by the caller's address (``ops.access``); with
    #: ``METRICS_TOKEN`` too, both are required. Neither set: /metrics answers 404 (off).
    "METRICS_ALLOWED_NETWORKS": [],
    #: /readyz fails when pins have been due this long and no runner renewed its place within it.
    "READY_RUNNER_SEEN_SECONDS": 120,
    "DEBUG": False,
}


class OpsSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not an ops setting")
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


ops_settings = OpsSettings()
