"""The outbox: an event commits with the change it reports or not at all, and once committed it
is delivered even if the process that wrote it, or the worker sending it, dies."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from publishing.engine import lease, outcome
from publishing.models import Pin, PinStatus
from tests.factories import make_pin
from webhooks import tasks
from webhooks.conf import webhooks_settings
from webhooks.models import Delivery, DeliveryStatus, Event
from webhooks.services import delivery as delivery_services
from webhooks.services.delivery import deliveries_send, deliveries_send_due


class Boom(Exception):
    pass


def held_pin():
    """A pin this test holds the lease of, as a publisher does before deciding it."""
    pin = make_pin()
    assert lease.claim(pin_id=pin.pk, from_statuses=[PinStatus.READY_TO_SCHEDULE], now=timezone.now())
    return Pin.objects.get(pk=pin.pk)


@pytest.mark.django_db
def test_a_decision_rolled_back_emits_nothing(receiver, endpoint_for, deliver_on_commit):
    pin = held_pin()
    endpoint_for(pin.project.tenant)
    with deliver_on_commit(), pytest.raises(Boom), transaction.atomic():
        outcome.finish(pin=pin, status=PinStatus.PUBLISHED, pinterest_pin_id="777")
        assert Event.objects.filter(type="pin.published").exists()  # written with the pin...
        raise Boom  # ...and gone with it
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHING
    assert not Event.objects.exists() and not Delivery.objects.exists()
    deliveries_send_due()
    assert receiver.received == []


@pytest.mark.django_db
def test_a_receiver_that_fails_rolls_the_decision_back_with_it(endpoint_for, monkeypatch):
    """The outbox row is part of the decision: if it cannot be written, the pin is not decided
    (the lease runs out and the sweep decides it again), rather than decided without its event."""
    pin = held_pin()
    endpoint_for(pin.project.tenant)
    monkeypatch.setattr("webhooks.services.events.Delivery.objects.bulk_create",
                        lambda *a, **k: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        outcome.finish(pin=pin, status=PinStatus.ERROR, error="Refused")
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHING and not Event.objects.exists()


@pytest.mark.django_db
def test_an_event_whose_writer_died_right_after_the_commit_is_sent_by_the_minute_schedule(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    pin = held_pin()
    endpoint_for(pin.project.tenant)
    # The on-commit task is never enqueued: the process died between the commit and the enqueue.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome.finish(pin=pin, status=PinStatus.ERROR, error="Refused")
    assert callbacks and receiver.received == []
    assert tasks.deliver_due()["delivered"] == 1
    assert receiver.events[0]["type"] == "pin.failed" and receiver.events[0]["data"]["error"] == "Refused"


@pytest.mark.django_db
def test_a_worker_that_dies_after_sending_leaves_the_delivery_to_be_sent_again_after_its_lease(
    receiver, endpoint_for, monkeypatch
):
    pin = held_pin()
    endpoint_for(pin.project.tenant)
    outcome.finish(pin=pin, status=PinStatus.ERROR, error="Refused")
    now = timezone.now()

    def die(**kwargs):
        raise SystemExit("killed between the POST and recording it")

    monkeypatch.setattr(delivery_services, "_record", die)
    with pytest.raises(SystemExit):
        deliveries_send(now=now)
    monkeypatch.undo()
    assert len(receiver.received) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.lease is not None
    # Held by the dead worker until its lease ends: nobody sends it meanwhile...
    assert deliveries_send(now=now + timedelta(seconds=60)).claimed == 0
    # ...then it is due again: at least once (the receiver dedupes on Pinpublisher-Event-Id).
    lease_ends = now + timedelta(seconds=webhooks_settings.claim_lease_seconds + 1)
    assert deliveries_send(now=lease_ends).delivered == 1
    first, second = receiver.received
    assert first.headers["Pinpublisher-Event-Id"] == second.headers["Pinpublisher-Event-Id"]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_worker_killed_mid_send_is_delivered_by_the_next_one(receiver, endpoint_for, monkeypatch):
    """A real worker process, SIGKILLed while the receiver holds its request."""
    monkeypatch.setattr("webhooks.services.events.enqueue_deliver", lambda **kwargs: None)
    pin = held_pin()
    endpoint_for(pin.project.tenant)
    outcome.finish(pin=pin, status=PinStatus.PUBLISHED, pinterest_pin_id="4242")  # committed (autocommit)
    receiver.hang_next()
    env = {
        **os.environ, "DATABASE_URL": _database_url(), "WEBHOOKS_ALLOW_LOCAL_ADDRESSES": "1",
        "PINPUBLISHER_TOKEN_KEYS": ",".join(django_settings.PINPUBLISHER_TOKEN_KEYS),
        "DJANGO_SETTINGS_MODULE": "pinpublisher.settings",
    }
    code = "import django; django.setup(); from webhooks import tasks; tasks.deliver_due()"
    worker = subprocess.Popen([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert receiver.arrived.wait(30), worker.stderr.read() if worker.poll() is not None else "no request"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        receiver.release.set()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.lease is not None and delivery.attempts == 0
    later = timezone.now() + timedelta(seconds=webhooks_settings.claim_lease_seconds + 1)
    assert deliveries_send(now=later).delivered == 1
    assert [r.event["data"]["pinterest_pin_id"] for r in receiver.received] == ["4242", "4242"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_send_one_delivery_twice(receiver, endpoint_for, monkeypatch):
    from tests.publishing.helpers import in_threads

    monkeypatch.setattr("webhooks.services.events.enqueue_deliver", lambda **kwargs: None)
    from webhooks.services.events import event_record

    endpoint, _ = endpoint_for(make_pin().project.tenant)
    for n in range(60):
        event_record(tenant_id=endpoint.tenant_id, event_type="pin.failed", data={"n": n}, endpoints=[endpoint])
    reports = in_threads([deliveries_send_due] * 4)
    assert sum(report.delivered for report in reports) == 60
    sent = [r.event["data"]["n"] for r in receiver.received]
    assert sorted(sent) == list(range(60))
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 60
