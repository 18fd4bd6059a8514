"""/metrics: what it exports after real publishes against the stand-in, with no id in any label,
and who may read it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from pinterest.services.clients import endpoint_of
from publishing.engine import pin_publish
from publishing.models import PinStatus
from tests.factories import make_tenant
from tests.publishing.helpers import standin_account, standin_pins
from tests.webhooks.receiver import Receiver
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create
from webhooks.services.events import event_record

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token-0123456789"
#: Every label any series may carry: bounded values, never an id.
ALLOWED_LABELS = {"reason", "result", "endpoint", "method", "status", "health", "route", "state", "le", "quantile"}


def scrape(client, token=TOKEN):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.content.decode()


def samples(text):
    """{(sample name, frozenset(labels)): value} of one scrape."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped, name, **labels):
    return scraped.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_after_a_publish_count_pins_answers_and_lateness_without_any_id(
    client, standin, metrics_on, settings, django_capture_on_commit_callbacks
):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    before = samples(scrape(client))
    connection, (board,) = standin_account(standin)
    scheduled = timezone.now() - timedelta(seconds=30)
    good, bad = standin_pins(standin, count=2, connection=connection, board=board, scheduled_at=scheduled)
    with django_capture_on_commit_callbacks(execute=True):  # outcomes are counted once committed
        assert pin_publish(pin_id=good.pk, trigger="manual").success
        standin.fail_next_creates("400")
        assert not pin_publish(pin_id=bad.pk, trigger="manual").success

    text = scrape(client)
    after = samples(text)
    assert value(after, "pinpublisher_pins_published_total") - value(before, "pinpublisher_pins_published_total") == 1
    assert value(after, "pinpublisher_pins_failed_total", reason="refused") - value(
        before, "pinpublisher_pins_failed_total", reason="refused") == 1
    lateness = "pinpublisher_pin_lateness_seconds"
    assert value(after, f"{lateness}_count") - value(before, f"{lateness}_count") == 1
    assert value(after, f"{lateness}_bucket", le="15.0") == value(before, f"{lateness}_bucket", le="15.0")
    assert value(after, f"{lateness}_bucket", le="60.0") - value(before, f"{lateness}_bucket", le="60.0") == 1
    answers = "pinpublisher_pinterest_answers_total"
    for status, more in (("201", 1), ("400", 1)):
        assert value(after, answers, endpoint="/pins", method="POST", status=status) - value(
            before, answers, endpoint="/pins", method="POST", status=status) == more
    assert sum(v for (name, _), v in after.items() if name == "pinpublisher_connections") >= 1
    assert value(after, "pinpublisher_pins_publishing") == 0
    assert value(after, "pinpublisher_http_requests_total", route="/metrics", method="GET", status="200") >= 1

    good.refresh_from_db()
    for an_id in (str(good.pk), str(bad.pk), good.pinterest_pin_id, board.pinterest_board_id,
                  connection.pinterest_user_id, connection.username):
        assert an_id not in text
    for name, labels in after:
        if name.startswith("pinpublisher_"):
            assert {label for label, _ in labels} <= ALLOWED_LABELS, name


def test_metrics_read_the_backlog_and_runner_places_from_the_database(client, standin, metrics_on, settings):
    settings.PUBLISH_RUNNERS = 3
    due = timezone.now() - timedelta(minutes=5)
    standin_pins(standin, count=2, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=due)
    scraped = samples(scrape(client))
    assert value(scraped, "pinpublisher_pins_due") == 2
    assert value(scraped, "pinpublisher_pins_due_oldest_seconds") >= 300
    assert value(scraped, "pinpublisher_runner_places", state="busy") == 0
    assert value(scraped, "pinpublisher_runner_places", state="free") == 3
    assert value(scraped, "pinpublisher_webhook_backlog") == 0


def test_webhook_attempts_are_counted_by_result_and_the_retries_wait_in_the_pending_count(
    client, metrics_on, settings
):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True
    before = samples(scrape(client))
    receiver = Receiver().start()
    try:
        tenant = make_tenant()
        endpoints = [endpoint_create(tenant=tenant, url=receiver.url).endpoint for _ in range(2)]
        event_record(tenant_id=tenant.pk, event_type="pin.published", data={"n": 1}, endpoints=endpoints)
        receiver.fail_next(count=1)  # one endpoint's POST fails, the other's goes through
        deliveries_send_due()
    finally:
        receiver.stop()
    after = samples(scrape(client))
    attempts = "pinpublisher_webhook_attempts_total"
    for result in ("ok", "failed"):
        assert value(after, attempts, result=result) - value(before, attempts, result=result) == 1
    assert value(after, "pinpublisher_webhook_pending") == 1  # the failed one waits for its retry
    assert value(after, "pinpublisher_webhook_backlog") == 0  # ...which is not due yet
    assert value(after, "pinpublisher_webhook_endpoints_failing") == 1


def test_metrics_need_the_bearer_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_api_requests_are_counted_by_route_never_by_path(client, metrics_on, tenant_api):
    tenant_api.get("/api/pins/00000000-0000-0000-0000-000000000000/")
    text = scrape(client)
    assert "00000000-0000-0000-0000-000000000000" not in text
    assert 'route="/api/pins/<uuid:pin_id>/"' in text


@pytest.mark.parametrize("path, endpoint", [
    ("/pins", "/pins"),
    ("/pins/987654321", "/pins/{id}"),
    ("/boards/123/sections", "/boards/{id}/sections"),
    ("/boards/123/sections/456/pins", "/boards/{id}/sections/{id}/pins"),
    ("/media/abc-def", "/media/{id}"),
    ("/user_account", "/user_account"),
    ("/oauth/token", "/oauth/token"),
    ("media_upload", "media_upload"),  # the upload host's POST: named, its URL never a label
])
def test_pinterest_endpoints_name_the_resource_never_an_id(path, endpoint):
    assert endpoint_of(path) == endpoint
