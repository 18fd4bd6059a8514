"""Delivering the outbox to a real HTTP receiver: signed once per secret, retried with backoff
and jitter, given up after 3 days, the endpoint disabled and its owners told, redelivered on
demand, every attempt logged."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_tenant, make_user
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventType
from webhooks.services.delivery import backoff, deliveries_send, deliveries_send_due, delivery_redeliver
from webhooks.services.endpoints import endpoint_rotate_secret, endpoint_update
from webhooks.services.events import event_record
from webhooks.signing import SignatureError, verify

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def record(endpoint, event_type=EventType.PIN_PUBLISHED, data=None, now=None):
    return event_record(tenant_id=endpoint.tenant_id, event_type=event_type, data=data or {"pin_id": "p1"},
                        endpoints=[endpoint], now=now)


def delivery_of(event):
    return Delivery.objects.get(event=event)


def test_a_delivery_is_a_signed_json_post_the_receiver_can_verify(tenant, receiver, endpoint_for):
    endpoint, secret = endpoint_for(tenant)
    event = record(endpoint, data={"pin_id": "abc", "pinterest_pin_id": "42"})

    report = deliveries_send_due()

    assert report.delivered == 1
    (request,) = receiver.received
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Pinpublisher-Event-Id"] == str(event.id)
    assert request.headers["Pinpublisher-Event-Type"] == "pin.published"
    assert verify(header=request.headers["Pinpublisher-Signature"], body=request.body, secret=secret)
    assert request.event == {
        "id": str(event.id), "type": "pin.published", "created": request.event["created"], "tenant": tenant.pk,
        "data": {"pin_id": "abc", "pinterest_pin_id": "42"},
    }
    delivery = delivery_of(event)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DELIVERED, 1, None)
    (attempt,) = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.success and attempt.status_code == 200 and attempt.response_body == "ok"


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_fails_verification(tenant, receiver, endpoint_for):
    endpoint, secret = endpoint_for(tenant)
    record(endpoint)
    deliveries_send_due()
    (request,) = receiver.received
    header = request.headers["Pinpublisher-Signature"]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert abs(timestamp - time.time()) < 60
    with pytest.raises(SignatureError):
        verify(header=header, body=request.body + b" ", secret=secret)
    with pytest.raises(SignatureError):
        verify(header=header, body=request.body, secret="whsec_not-the-secret")
    with pytest.raises(SignatureError, match="old"):
        verify(header=header, body=request.body, secret=secret, now=timestamp + 301)
    assert verify(header=header, body=request.body, secret=secret, now=timestamp + 299) == timestamp


def test_the_same_event_is_signed_over_the_same_bytes_on_every_attempt(tenant, receiver, endpoint_for):
    endpoint, secret = endpoint_for(tenant)
    event = record(endpoint)
    receiver.fail_next()
    deliveries_send_due()
    deliveries_send(now=delivery_of(event).next_attempt_at)
    first, second = receiver.received
    assert first.body == second.body
    for request in (first, second):
        verify(header=request.headers["Pinpublisher-Signature"], body=request.body, secret=secret)


def test_a_receiver_that_fails_three_times_gets_the_event_on_the_fourth_attempt_with_growing_waits(
    tenant, receiver, endpoint_for, settings
):
    settings.WEBHOOKS_BACKOFF_BASE_SECONDS = 60
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    receiver.fail_next(count=3, status=503)

    now = timezone.now()
    waits = []
    for _ in range(3):
        report = deliveries_send(now=now)
        assert report.failed_attempts == 1
        delivery = delivery_of(event)
        assert delivery.status == DeliveryStatus.PENDING and delivery.lease is None
        waits.append((delivery.next_attempt_at - now).total_seconds())
        # Not due before its time: a pass a second early sends nothing.
        assert deliveries_send(now=delivery.next_attempt_at - timedelta(seconds=1)).claimed == 0
        now = delivery.next_attempt_at
    assert deliveries_send(now=now).delivered == 1

    # Exponential with jitter: attempt n waits between half and all of 60 s x 2^(n-1).
    for n, wait in enumerate(waits, start=1):
        assert 30 * 2 ** (n - 1) <= wait <= 60 * 2 ** (n - 1), waits
    delivery = delivery_of(event)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 4)
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("started_at"))
    assert [a.status_code for a in attempts] == [503, 503, 503, 200]
    assert [a.response_body for a in attempts][:1] == ["receiver down"]
    assert len(receiver.received) == 4
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is None


def test_backoff_is_capped_and_jittered():
    waits = [backoff(30).total_seconds() for _ in range(200)]
    assert max(waits) <= 6 * 3600 and min(waits) >= 3 * 3600
    assert len({round(wait) for wait in waits}) > 100  # jitter: endpoints that failed together spread out
    assert 15 <= backoff(1).total_seconds() <= 30


def test_a_delivery_is_given_up_after_three_days_and_the_endpoint_disabled_with_one_email_to_the_owners(
    tenant, receiver, endpoint_for, mailoutbox, django_capture_on_commit_callbacks
):
    make_user(tenant, email="owner@example.com")
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    start = delivery_of(event).created_at
    receiver.fail_next(count=1000, status=500, body=b"database is down")

    now, attempts = start, 0
    with django_capture_on_commit_callbacks(execute=True):
        while delivery_of(event).status == DeliveryStatus.PENDING:
            assert deliveries_send(now=now).claimed == 1
            attempts += 1
            now = delivery_of(event).next_attempt_at or now
            assert attempts < 100

    delivery = delivery_of(event)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == attempts
    last = DeliveryAttempt.objects.filter(delivery=delivery).order_by("-started_at").first()
    assert last.started_at >= start + timedelta(hours=72)
    # Retried for 3 days with waits capped at 6 h: not a handful of tries, not hundreds.
    assert 12 <= attempts <= 30
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "72 hours" in endpoint.disabled_reason
    (message,) = mailoutbox
    assert message.to == ["owner@example.com"]
    assert endpoint.url in message.subject and "database is down" in message.body
    # Disabled: nothing more is sent, even when new events are recorded.
    record(endpoint)
    assert deliveries_send_due(now=now + HOUR).claimed == 0


def test_an_endpoint_failing_for_less_than_three_days_stays_enabled_and_any_success_resets_it(
    tenant, receiver, endpoint_for
):
    endpoint, _ = endpoint_for(tenant)
    start = timezone.now()
    receiver.fail_next(count=1)
    first = record(endpoint, now=start)
    deliveries_send(now=start)
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since == start
    record(endpoint, now=start + 71 * HOUR)
    receiver.fail_next(count=1)  # the first fails; the other is not sent in the same batch
    deliveries_send(now=start + 71 * HOUR)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since == start
    deliveries_send(now=delivery_of(first).next_attempt_at + HOUR)  # 200 now
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is None


def test_an_endpoint_that_fails_is_not_sent_the_rest_of_the_batch_and_does_not_hold_up_others(
    tenant, receiver, endpoint_for, settings
):
    settings.WEBHOOKS_READ_TIMEOUT_SECONDS = 0.3
    slow, _ = endpoint_for(tenant, url=receiver.url + "/slow")
    fine, _ = endpoint_for(tenant, url=receiver.url + "/fine")
    slow_events = [record(slow) for _ in range(5)]
    fine_event = record(fine)
    receiver.hang_next()  # the first request (to the slow endpoint: recorded first) gets no answer
    started = time.monotonic()
    report = deliveries_send_due()
    assert time.monotonic() - started < 3  # one timeout for the batch, not five
    assert (report.failed_attempts, report.delivered) == (1, 1)
    assert [r.path for r in receiver.received] == ["/hooks/slow", "/hooks/fine"]
    deferred = [delivery_of(event) for event in slow_events[1:]]
    first = delivery_of(slow_events[0])
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 and d.lease is None for d in deferred)
    assert {d.next_attempt_at for d in deferred} == {first.next_attempt_at}
    assert delivery_of(fine_event).status == DeliveryStatus.DELIVERED


def test_a_disabled_endpoint_is_sent_nothing_and_gets_its_pending_deliveries_once_enabled(
    tenant, receiver, endpoint_for, deliver_on_commit
):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    endpoint_update(endpoint=endpoint, data={"is_active": False})
    assert deliveries_send_due().claimed == 0 and receiver.received == []
    with deliver_on_commit():
        endpoint_update(endpoint=endpoint, data={"is_active": True})
    assert [e["id"] for e in receiver.events] == [str(event.id)]


def test_redelivery_sends_a_delivered_event_again_and_logs_both_attempts(
    tenant, receiver, endpoint_for, deliver_on_commit
):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    deliveries_send_due()
    with deliver_on_commit():
        delivery_redeliver(delivery=delivery_of(event))
    assert [e["id"] for e in receiver.events] == [str(event.id)] * 2
    delivery = delivery_of(event)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert DeliveryAttempt.objects.filter(delivery=delivery, success=True).count() == 2


def test_redelivery_revives_a_failed_delivery_with_a_fresh_retry_window(tenant, receiver, endpoint_for):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    Delivery.objects.filter(event=event).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    later = timezone.now() + 10 * 24 * HOUR
    delivery = delivery_redeliver(delivery=delivery_of(event), now=later)
    assert delivery.status == DeliveryStatus.PENDING and delivery.give_up_at == later + 72 * HOUR
    assert deliveries_send(now=later).delivered == 1


def test_a_redirect_is_not_followed_and_counts_as_a_failure(tenant, receiver, endpoint_for):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    receiver.answer_next(status=302, body=b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    report = deliveries_send_due()
    assert report.failed_attempts == 1 and len(receiver.received) == 1
    attempt = DeliveryAttempt.objects.get(delivery__event=event)
    assert attempt.status_code == 302 and not attempt.success and "not followed" in attempt.error


def test_only_the_first_kilobyte_of_the_answer_is_kept(tenant, receiver, endpoint_for):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    receiver.answer_next(status=500, body=b"x" * 50_000)
    deliveries_send_due()
    attempt = DeliveryAttempt.objects.get(delivery__event=event)
    assert attempt.response_body == "x" * 1024 and attempt.duration_ms >= 0


def test_an_answer_with_a_nul_byte_is_logged_without_it(tenant, receiver, endpoint_for):
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    receiver.answer_next(status=200, body=b"ok\x00\xff")
    assert deliveries_send_due().delivered == 1
    assert DeliveryAttempt.objects.get(delivery__event=event).response_body == "ok\ufffd\ufffd"


def test_an_endpoint_that_does_not_answer_in_time_is_a_failed_attempt(tenant, receiver, endpoint_for, settings):
    settings.WEBHOOKS_READ_TIMEOUT_SECONDS = 0.3
    endpoint, _ = endpoint_for(tenant)
    event = record(endpoint)
    receiver.hang_next()
    started = time.monotonic()
    deliveries_send_due()
    assert time.monotonic() - started < 5
    attempt = DeliveryAttempt.objects.get(delivery__event=event)
    assert attempt.status_code is None and "No answer within 0.3 s" in attempt.error
    assert delivery_of(event).status == DeliveryStatus.PENDING


def test_a_closed_port_is_a_failed_attempt_not_an_exception(tenant, endpoint_for):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint, _ = endpoint_for(tenant, url=f"http://127.0.0.1:{port}/hooks")
    event = record(endpoint)
    assert deliveries_send_due().failed_attempts == 1
    assert DeliveryAttempt.objects.get(delivery__event=event).error.startswith("Could not connect")


# --- secret rotation ----------------------------------------------------------------------------


def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one(tenant, receiver, endpoint_for):
    endpoint, old = endpoint_for(tenant)
    rotated_at = timezone.now()
    rotated = endpoint_rotate_secret(endpoint=endpoint, now=rotated_at)
    assert rotated.secret != old and rotated.previous_expires_at == rotated_at + 24 * HOUR

    record(endpoint)
    deliveries_send(now=rotated_at + 23 * HOUR)
    header = receiver.received[-1].headers["Pinpublisher-Signature"]
    assert header.count("v1=") == 2
    for secret in (old, rotated.secret):
        verify(header=header, body=receiver.received[-1].body, secret=secret)

    record(endpoint)
    deliveries_send(now=rotated_at + 25 * HOUR)
    header, body = receiver.received[-1].headers["Pinpublisher-Signature"], receiver.received[-1].body
    assert header.count("v1=") == 1
    verify(header=header, body=body, secret=rotated.secret)
    with pytest.raises(SignatureError):
        verify(header=header, body=body, secret=old)


def test_the_secret_is_stored_encrypted(tenant, endpoint_for):
    from django.db import connection

    endpoint, secret = endpoint_for(tenant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpointsecret WHERE endpoint_id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert secret.startswith("whsec_") and secret not in stored


# --- many endpoints, many tenants ----------------------------------------------------------------


def test_each_endpoint_gets_only_the_types_it_asked_for(tenant, receiver, endpoint_for):
    from webhooks.selectors import endpoints_wanting

    everything, _ = endpoint_for(tenant)
    failures_only, _ = endpoint_for(tenant, event_types=["pin.failed"])
    other_tenant, _ = endpoint_for(make_tenant())
    wanting = endpoints_wanting(event_type="pin.published", tenant_id=tenant.pk)
    assert [e.pk for e in wanting] == [everything.pk]
    assert {e.pk for e in endpoints_wanting(event_type="pin.failed", tenant_id=tenant.pk)} == {
        everything.pk, failures_only.pk}
    assert other_tenant.pk not in {e.pk for e in endpoints_wanting(event_type="pin.failed", tenant_id=tenant.pk)}


def test_a_send_report_is_json_for_django_q(tenant, receiver, endpoint_for):
    from webhooks import tasks

    endpoint, _ = endpoint_for(tenant)
    record(endpoint)
    assert json.loads(json.dumps(tasks.deliver_due()))["delivered"] == 1
