"""``/metrics`` (Prometheus; bearer ``METRICS_TOKEN`` and/or ``METRICS_ALLOWED_NETWORKS``, see
``ops.access``), ``/healthz`` and ``/readyz`` (JSON, no
token: load balancers and orchestrators ask them; they name what failed, never a secret)."""

import os
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ops.access import Access, metrics_access
from ops.collector import DatabaseCollector
from ops.readiness import readiness


class _ThisProcess(Collector):
    """The serving process's own counts (no ``PROMETHEUS_MULTIPROC_DIR``: tests, runserver)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_registry() -> CollectorRegistry:
    """What one scrape reports: the node's counts (every process's, summed, in multiprocess mode)
    and the database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return registry


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    access = metrics_access(request)
    if access is Access.OFF:
        raise Http404("metrics are off (neither METRICS_TOKEN nor METRICS_ALLOWED_NETWORKS is set)")
    if access is Access.OUTSIDE:
        return HttpResponse("not from an allowed network\n", status=403, content_type="text/plain")
    if access is Access.NO_TOKEN:
        response = HttpResponse("a bearer token is required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (nothing else is asked: a liveness probe must not fail with the database)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Every readiness check (``ops.readiness``); 503 naming what failed when one did."""
    checks = readiness()
    failed = {name: result for name, result in checks.items() if result not in ("ok", "skipped")}
    return JsonResponse(
        {"status": "ok" if not failed else "unavailable", "checks": checks, "failed": sorted(failed)},
        status=200 if not failed else 503,
    )
