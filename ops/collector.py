"""The state pinpublisher is in, read from the database at scrape time (``/metrics``).

A gauge of state kept in memory would be one process's view; read from the database it is
the whole service's, whichever node is scraped (a dashboard takes ``max`` over instances, not
``sum``). A scrape costs a handful of counts, each answered by an index (partial ones for the
due, in-flight and pending rows): never a whole table, which would grow with it. Totals of events
(webhook attempts, pins published) are counters instead (``ops.metrics``).
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ops.metrics import PREFIX
from pinterest.models import PinterestConnection
from pinterest.selectors import connection_health_filters
from publishing.conf import publishing_settings
from publishing.models import Pin, PinStatus, PublishRunner
from publishing.selectors import pins_due
from webhooks.models import Delivery, DeliveryStatus, Endpoint


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=labels)


def _pins(now: datetime) -> Iterator[GaugeMetricFamily]:
    # pins_due and the pins in flight are served by partial indexes (ready_to_schedule, publishing).
    due = pins_due(now=now).aggregate(count=Count("pk"), oldest=Min("scheduled_at"))
    backlog = _gauge("pins_due", "Pins due now and not yet published (the backlog)")
    backlog.add_metric([], due["count"])
    yield backlog
    oldest = _gauge("pins_due_oldest_seconds", "How long the oldest due pin has been due (0: none)")
    oldest.add_metric([], (now - due["oldest"]).total_seconds() if due["oldest"] else 0.0)
    yield oldest
    publishing = _gauge("pins_publishing", "Pins claimed by a publisher and not yet decided")
    publishing.add_metric([], Pin.objects.filter(status=PinStatus.PUBLISHING).count())
    yield publishing


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
    # Pending deliveries are served by the partial index delivery_due_idx; endpoints are few.
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    waiting = _gauge("webhook_pending", "Webhook deliveries not yet delivered nor given up (retries included)")
    waiting.add_metric([], pending.count())
    yield waiting
    backlog = _gauge("webhook_backlog", "Pending webhook deliveries due now (retries whose wait has passed)")
    backlog.add_metric([], pending.filter(next_attempt_at__lte=now).count())
    yield backlog
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
