"""A warning when production serves no metrics (neither ``METRICS_TOKEN`` nor
``METRICS_ALLOWED_NETWORKS`` set); errors when a network is not one and when the multiprocess
directory cannot be written."""

import os
from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register

from ops.access import allowed_networks
from ops.conf import ops_settings


@register()
def metrics_token_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if ops_settings.DEBUG or ops_settings.METRICS_TOKEN or ops_settings.METRICS_ALLOWED_NETWORKS:
        return []
    return [
        Warning(
            "Neither METRICS_TOKEN nor METRICS_ALLOWED_NETWORKS is set: /metrics answers 404, "
            "so nothing can be watched.",
            hint="Set METRICS_TOKEN to a long random value and give it to Prometheus (bearer token), "
            "or METRICS_ALLOWED_NETWORKS to Prometheus's internal network.",
            id="ops.W001",
        )
    ]


@register()
def metrics_networks_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        allowed_networks()
    except ValueError as err:
        return [Error(str(err), hint="Give networks as CIDRs, comma-separated: 10.0.0.0/8,192.168.1.5", id="ops.E002")]
    return []


@register()
def multiprocess_dir_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """prometheus-client's own variable: a directory that is not there fails every count."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path or (os.path.isdir(path) and os.access(path, os.W_OK)):
        return []
    return [
        Error(
            f"PROMETHEUS_MULTIPROC_DIR={path!r} is not a writable directory: the metrics could not be counted.",
            hint="Create it (empty) before the node's processes start, or unset it.",
            id="ops.E001",
        )
    ]
