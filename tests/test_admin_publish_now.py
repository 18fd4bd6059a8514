"""The admin's "Publish now" never waits on Pinterest: it hands the pins to the dispatchers, and
when an account must wait (Pinterest's Retry-After, its pacing) the message says from when."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from pinpublisher.timezones import format_when
from pinterest.models import PinterestConnection
from publishing.engine import pins_publish_due
from publishing.models import Pin, PinStatus, PublishBatch
from tests.factories import make_user
from tests.publishing.helpers import create_calls, standin_pins

pytestmark = pytest.mark.django_db


def publish_now(client, pins):
    response = client.post(
        reverse("admin:publishing_pin_changelist"),
        {"action": "publish_now", "_selected_action": [str(p.pk) for p in pins]},
    )
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publish_now_for_an_account_told_to_wait_an_hour_says_when_its_pin_is_expected(
        client, standin, settings, monkeypatch):
    settings.PUBLISH_NOW_MAX_WAIT_SECONDS = 15
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    due, pin = standin_pins(standin, count=2)
    Pin.objects.filter(pk=due.pk).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    standin.fail_next_creates("429", retry_after=3600)
    pins_publish_due()
    slot = PinterestConnection.objects.get(pk=pin.project.pinterest_connection_id).next_publish_at
    client.force_login(make_user(tenant=pin.project.tenant, is_staff=True))

    (message,) = publish_now(client, [pin])

    batch = PublishBatch.objects.get()
    assert message.startswith(f"Publishing 1 pin in the background, expected from {format_when(slot)} "
                              "(Pinterest asked the account to wait): <a href=")
    assert str(batch.pk)[:8] in message
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.READY_TO_SCHEDULE and create_calls(standin) == 1


def test_publish_now_for_an_account_with_a_free_slot_says_nothing_of_waiting(client, standin, monkeypatch):
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    (pin,) = standin_pins(standin)
    client.force_login(make_user(tenant=pin.project.tenant, is_staff=True))

    (message,) = publish_now(client, [pin])

    assert message.startswith("Publishing 1 pin in the background: <a href=")
