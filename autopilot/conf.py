"""The autopilot app's settings, read here and nowhere else."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: How long a claimed run is held before the sweep may give it to another worker.
    "AUTOPILOT_LEASE_SECONDS": 300,
    #: A pending run this old is run by the sweep (its task was lost: a crash after the commit).
    "AUTOPILOT_SWEEP_AFTER_SECONDS": 120,
    #: Attempts before a run is given up (``failed``, with the reason).
    "AUTOPILOT_MAX_ATTEMPTS": 3,
    #: The article's images downloaded for designs, at most; each at most this many bytes.
    "AUTOPILOT_MAX_IMAGES": 4,
    "AUTOPILOT_IMAGE_MAX_BYTES": 10 * 1024 * 1024,
}


class AutopilotSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        value = getattr(settings, name, None)
        return DEFAULTS[name] if value is None else value


autopilot_settings = AutopilotSettings()
