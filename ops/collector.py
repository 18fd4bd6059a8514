"""The state pinpublisher is in, read from the database at scrape time (``/metrics``).

A gauge of state kept in memory would be one process's view; read from the database it is
the whole service's, whichever node is scraped (a dashboard takes ``max`` over instances, not
``sum``). A scrape costs a handful of indexed counts.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ops.metrics import PREFIX
from pinterest.models import PinterestConnection
from pinterest.selectors import connection_health_filters
from publishing.conf import publishing_settings
from publishing.models import Pin, PublishRunner
from publishing.selectors import pins_due
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=labels)


def _pins(now: datetime) -> Iterator[GaugeMetricFamily]:
    due = pins_due(now=now).aggregate(count=Count("pk"), oldest=Min("scheduled_at"))
    backlog = _gauge("pins_due", "Pins due now and not yet published (the backlog)")
    backlog.add_metric([], due["count"])
    yield backlog
    oldest = _gauge("pins_due_oldest_seconds", "How long the oldest due pin has been due (0: none)")
    oldest.add_metric([], (now - due["oldest"]).total_seconds() if due["oldest"] else 0.0)
    yield oldest
    by_status = _gauge("pins", "Pins by status", ["status"])
    for row in Pin.objects.order_by().values("status").annotate(count=Count("pk")):
        by_status.add_metric([row["status"]], row["count"])
    yield by_status


def _runners(now: datetime) -> Iterator[GaugeMetricFamily]:
    places = publishing_settings.PUBLISH_RUNNERS
    busy = PublishRunner.objects.filter(slot__lt=places, held_until__gte=now).exclude(token="").count()
    gauge = _gauge("runner_places", "Runner places across every cluster, busy or free", ["state"])
    gauge.add_metric(["busy"], busy)
    gauge.add_metric(["free"], max(0, places - busy))
    yield gauge


def _connections(now: datetime) -> Iterator[GaugeMetricFamily]:
    filters = connection_health_filters(now=now)
    counts = PinterestConnection.objects.aggregate(
        **{str(health): Count("pk", filter=q) for health, q in filters.items()}
    )
    gauge = _gauge("connections", "Pinterest connections (token health) by state", ["health"])
    for health, count in counts.items():
        gauge.add_metric([health], count)
    yield gauge


def _webhooks(now: datetime) -> Iterator[GaugeMetricFamily]:
    deliveries = _gauge("webhook_deliveries", "Webhook deliveries by status (all kept rows)", ["status"])
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in Delivery.objects.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    for status, count in counts.items():
        deliveries.add_metric([status], count)
    yield deliveries
    backlog = _gauge("webhook_backlog", "Pending webhook deliveries due now (retries whose wait has passed)")
    backlog.add_metric([], Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).count())
    yield backlog
    attempts = _gauge("webhook_attempts", "Webhook POSTs made (all kept rows), by result", ["result"])
    outcome = DeliveryAttempt.objects.aggregate(ok=Count("pk", filter=Q(success=True)),
                                                failed=Count("pk", filter=Q(success=False)))
    for result, count in outcome.items():
        attempts.add_metric([result], count)
    yield attempts
    failing = _gauge("webhook_endpoints_failing", "Active webhook endpoints whose deliveries are failing")
    failing.add_metric([], Endpoint.objects.filter(is_active=True, failing_since__isnull=False).count())
    yield failing


class DatabaseCollector(Collector):
    """The gauges above, read when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        yield from _pins(now)
        yield from _runners(now)
        yield from _connections(now)
        yield from _webhooks(now)
