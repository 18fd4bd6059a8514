"""Every outcome becomes an event: pins published, failed or reconciled by the engine, batches
finished, connections needing a person or recovered; delivered to a real receiver."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pinterest.models import PinterestConnection
from pinterest.services.health import connection_health_check
from publishing.engine import pin_publish, pin_reconcile, pins_publish_bulk
from publishing.models import Pin, PinStatus
from tests.factories import make_tenant
from tests.publishing.helpers import standin_pins
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_publishing(settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    settings.PUBLISH_RECONCILE_GRACE_SECONDS = 0


def only_event(receiver, event_type):
    matching = [event for event in receiver.events if event["type"] == event_type]
    assert len(matching) == 1, receiver.events
    return matching[0]


def test_a_published_pin_is_delivered_as_pin_published_with_its_pinterest_id_and_url(
    standin, receiver, endpoint_for, deliver_on_commit
):
    (pin,) = standin_pins(standin)
    endpoint_for(pin.project.tenant)
    with deliver_on_commit():
        result = pin_publish(pin_id=pin.pk)
    assert result.success
    event = only_event(receiver, "pin.published")
    pin.refresh_from_db()
    assert event["tenant"] == pin.project.tenant_id
    assert event["data"] == {
        "pin_id": str(pin.pk), "project_id": pin.project_id, "article_id": pin.article_id, "board_id": pin.board_id,
        "status": "published", "pinterest_pin_id": pin.pinterest_pin_id,
        "pinterest_pin_url": f"https://www.pinterest.com/pin/{pin.pinterest_pin_id}/",
        "published_at": event["data"]["published_at"],
    }
    assert event["data"]["published_at"].startswith(pin.published_at.strftime("%Y-%m-%dT%H:%M"))


def test_a_refused_pin_is_delivered_as_pin_failed_with_pinterests_message(
    standin, receiver, endpoint_for, deliver_on_commit
):
    (pin,) = standin_pins(standin)
    endpoint_for(pin.project.tenant)
    standin.fail_next_creates("403")
    with deliver_on_commit():
        assert not pin_publish(pin_id=pin.pk).success
    event = only_event(receiver, "pin.failed")
    assert event["data"]["status"] == "error"
    assert "Image is too small" in event["data"]["error"]
    assert event["data"]["error"] == Pin.objects.get(pk=pin.pk).error_message


def test_a_lost_answer_resolved_by_looking_is_pin_published_and_pin_reconciled(
    standin, receiver, endpoint_for, deliver_on_commit
):
    (pin,) = standin_pins(standin)
    endpoint_for(pin.project.tenant)
    standin.fail_next_creates("503_after_create")
    with deliver_on_commit():
        assert pin_publish(pin_id=pin.pk).success
    published = only_event(receiver, "pin.published")
    reconciled = only_event(receiver, "pin.reconciled")
    pin.refresh_from_db()
    assert published["data"]["pinterest_pin_id"] == pin.pinterest_pin_id
    assert reconciled["data"]["status"] == "published"
    assert reconciled["data"]["pinterest_pin_id"] == pin.pinterest_pin_id and reconciled["data"]["error"] is None


def test_a_pin_stuck_past_its_lease_and_not_on_the_board_is_pin_failed_and_pin_reconciled(
    standin, receiver, endpoint_for, deliver_on_commit, settings
):
    (pin,) = standin_pins(standin)
    endpoint_for(pin.project.tenant)
    standin.fail_next_creates("503")  # not created, and the look finds nothing... once the lease ends
    settings.PUBLISH_LEASE_SECONDS = 3600
    with deliver_on_commit():
        pin_publish(pin_id=pin.pk)
    receiver.received.clear()
    # A worker that died mid-publish: the pin is still publishing when its lease has run out.
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING,
                                         publishing_started_at=timezone.now() - timedelta(hours=2))
    with deliver_on_commit():
        pin_reconcile(pin_id=pin.pk)
    assert {event["type"] for event in receiver.events} == {"pin.failed", "pin.reconciled"}
    assert only_event(receiver, "pin.reconciled")["data"]["status"] == "error"


def test_a_finished_batch_is_delivered_with_its_counts(standin, receiver, endpoint_for, deliver_on_commit):
    pins = standin_pins(standin, count=3)
    tenant = pins[0].project.tenant
    endpoint_for(tenant, event_types=["batch.finished"])
    standin.fail_next_creates("403")
    with deliver_on_commit():
        batch = pins_publish_bulk(tenant=tenant, pin_ids=[pin.pk for pin in pins])
    (event,) = receiver.events
    assert event["type"] == "batch.finished"
    assert {key: event["data"][key] for key in ("batch_id", "total", "published", "skipped", "failed", "trigger")} == {
        "batch_id": str(batch.pk), "total": 3, "published": 2, "skipped": 0, "failed": 1, "trigger": "bulk",
    }


def test_a_connection_that_needs_a_person_and_then_recovers_is_two_events(
    tenant, receiver, endpoint_for, deliver_on_commit
):
    from tests.factories import make_connection

    connection = make_connection(tenant=tenant)
    endpoint_for(tenant)
    PinterestConnection.objects.filter(pk=connection.pk).update(
        is_active=False, last_error="Token refresh failed: Invalid refresh token."
    )
    with deliver_on_commit():
        connection_health_check(connection_id=connection.pk)
        connection_health_check(connection_id=connection.pk)  # no change: no second event
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=True, last_error="")
    with deliver_on_commit():
        connection_health_check(connection_id=connection.pk)
    assert [event["type"] for event in receiver.events] == ["connection.needs_reconnect", "connection.recovered"]
    needs = receiver.events[0]["data"]
    assert needs["connection_id"] == connection.pk and needs["health"] == "needs_reconnect"
    assert "Invalid refresh token" in needs["detail"]
    assert receiver.events[1]["data"]["previous"] == "needs_reconnect"


def test_a_spam_block_is_a_connection_spam_blocked_event(tenant, receiver, endpoint_for, deliver_on_commit):
    from pinterest.errors import PinterestRateLimitError
    from pinterest.services.health import connection_spam_block
    from tests.factories import make_connection

    connection = make_connection(tenant=tenant)
    endpoint_for(tenant)
    with deliver_on_commit():
        connection_spam_block(connection_id=connection.pk, exc=PinterestRateLimitError(
            "Your request was blocked because it looked like spam.", status_code=429))
    assert [event["type"] for event in receiver.events] == ["connection.spam_blocked"]


def test_a_tenant_without_endpoints_writes_no_event_and_another_tenants_endpoint_hears_nothing(
    standin, receiver, endpoint_for, deliver_on_commit
):
    (pin,) = standin_pins(standin)
    endpoint_for(make_tenant())
    with deliver_on_commit():
        assert pin_publish(pin_id=pin.pk).success
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert receiver.received == []


def test_an_endpoint_gets_only_the_event_types_it_wants(standin, receiver, endpoint_for, deliver_on_commit):
    pins = standin_pins(standin, count=2)
    endpoint_for(pins[0].project.tenant, event_types=["pin.failed"])
    standin.fail_next_creates("403")
    with deliver_on_commit():
        pin_publish(pin_id=pins[0].pk)
        pin_publish(pin_id=pins[1].pk)
    assert [event["type"] for event in receiver.events] == ["pin.failed"]
    assert Event.objects.count() == 1
