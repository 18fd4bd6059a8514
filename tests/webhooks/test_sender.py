"""One POST has one deadline (WEBHOOKS_DELIVERY_DEADLINE_SECONDS) for all of it: resolving,
connecting, the TLS handshake, the status line, the headers and the body. A peer that keeps
the connection alive with a byte now and then (each within the read timeout) is cut off there,
so a slow endpoint costs a worker the deadline, never the peer's whim."""

import threading

import pytest

from pinpublisher import guarded_http
from tests.webhooks.receiver import DrippingPeer
from webhooks import sender
from webhooks.models import DeliveryAttempt, DeliveryStatus, EventType
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create
from webhooks.services.events import event_record

#: Each drips for 10 s (the guard that ends a test on a sender without a deadline), 20 times
#: the deadline the tests set.
PEERS = {
    # 50 lines: http.client stops at 100.
    "a header line at a time": dict(head=b"HTTP/1.1 200 OK\r\n", drip=b"X-Drip: 1\r\n",
                                     tail=b"Content-Length: 2\r\n\r\nok", every=0.2),
    "a header a byte at a time": dict(head=b"HTTP/1.1 200 OK\r\nX-Drip: ", drip=b"x",
                                      tail=b"\r\nContent-Length: 2\r\n\r\nok"),
    "the body a byte at a time": dict(head=b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", drip=b"x"),
    "the status line a byte at a time": dict(head=b"H", drip=b"T"),
    "nothing at all": dict(),
}


@pytest.fixture
def peer():
    peers = []

    def start(**behaviour):
        peers.append(DrippingPeer(**behaviour).start())
        return peers[-1]

    yield start
    for each in peers:
        each.stop()


@pytest.fixture(autouse=True)
def _short_deadline(settings):
    settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 0.5


def post_in_a_thread(url):
    """The sender's answer, posted from another thread that the test waits for at most 30 s."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(sender.post(url=url, body=b"{}", headers={})))
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the sender is still waiting on the peer"
    return answers[0]


@pytest.mark.parametrize("behaviour", PEERS.values(), ids=PEERS.keys())
def test_a_peer_that_drips_its_answer_is_cut_off_at_the_deadline(peer, behaviour):
    dripping = peer(**behaviour)
    answer = post_in_a_thread(dripping.url())
    assert not answer.success and answer.status_code is None
    assert answer.error == "No complete answer within the 0.5 s deadline (connecting, sending and answering)."
    assert dripping.hung_up.wait(5)  # the sender hung up while the peer was still dripping


def test_a_tls_handshake_that_never_ends_is_cut_off_at_the_deadline(peer, settings):
    settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS = 3
    silent = peer()
    answer = post_in_a_thread(silent.url("https"))
    assert not answer.success and "0.5 s deadline" in answer.error


def test_a_name_that_takes_forever_to_resolve_is_cut_off_at_the_deadline(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = False
    answered = threading.Event()

    def slow_dns(host, port):
        answered.wait(20)
        return []

    monkeypatch.setattr(guarded_http, "resolve", slow_dns)
    try:
        answer = post_in_a_thread("https://hooks.example.com/in")
    finally:
        answered.set()
    assert not answer.success and "0.5 s deadline" in answer.error


def test_an_answer_within_the_deadline_is_read_as_before(receiver, settings):
    settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 5
    receiver.answer_next(status=202, body=b"queued")
    answer = sender.post(url=receiver.url, body=b"{}", headers={})
    assert (answer.success, answer.status_code, answer.body, answer.error) == (True, 202, "queued", "")


def test_a_connection_kept_alive_after_a_good_answer_has_a_fresh_deadline_for_the_next(receiver, settings):
    settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 5
    assert sender.post(url=receiver.url, body=b"{}", headers={}).success
    assert sender.post(url=receiver.url, body=b"{}", headers={}).success
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_a_delivery_to_a_dripping_endpoint_is_a_failed_attempt_naming_the_deadline_and_is_retried(peer, tenant):
    dripping = peer(**PEERS["a header line at a time"])
    endpoint = endpoint_create(tenant=tenant, url=dripping.url()).endpoint
    event_record(tenant_id=tenant.pk, event_type=EventType.PIN_FAILED, data={}, endpoints=[endpoint])
    report = deliveries_send_due()
    assert (report.delivered, report.failed_attempts) == (0, 1)
    attempt = DeliveryAttempt.objects.get()
    assert not attempt.success and attempt.status_code is None and "0.5 s deadline" in attempt.error
    delivery = attempt.delivery
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1 and delivery.lease is None


def test_what_the_peer_sent_is_kept_to_a_kilobyte_also_inside_an_error(peer, settings):
    settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS = 5
    garbled = peer(head=b"HTTP/1.1 " + b"\x00x" * 30_000 + b"\r\n\r\n", lasts=2)
    answer = post_in_a_thread(garbled.url())
    assert not answer.success and answer.error.startswith("Could not connect")
    assert len(answer.error) <= 1024 and "\x00" not in answer.error
