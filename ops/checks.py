"""A warning when production serves no metrics (``METRICS_TOKEN`` unset)."""

from typing import Any

from django.core.checks import CheckMessage, Warning, register

from ops.conf import ops_settings


@register()
def metrics_token_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if ops_settings.DEBUG or ops_settings.METRICS_TOKEN:
        return []
    return [
        Warning(
            "METRICS_TOKEN is not set: /metrics answers 404, so nothing can be watched.",
            hint="Set METRICS_TOKEN to a long random value and give it to Prometheus (bearer token).",
            id="ops.W001",
        )
    ]
