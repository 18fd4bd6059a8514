"""What the counters count: outcomes once their transaction commits (never a decision rolled
back), and the media upload host's answers under their own endpoint, with no id."""

from datetime import timedelta

import pytest
import requests
from django.db import transaction
from django.utils import timezone
from prometheus_client import REGISTRY

from pinterest.client import PinterestClient
from pinterest.services.clients import client_config
from publishing.engine import pin_publish
from publishing.models import Pin
from publishing.signals import pin_failed, pin_reconciled
from tests.factories import make_pin
from tests.pinterest.test_client_sections_media import UPLOAD_PARAMETERS, UPLOAD_URL, RecordingTransport, video
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db


def count(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


class RolledBack(Exception):
    pass


def test_a_publish_whose_transaction_rolls_back_is_not_counted(standin, settings, django_capture_on_commit_callbacks):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    (pin,) = standin_pins(standin, scheduled_at=timezone.now() - timedelta(seconds=5))
    before = count("pinpublisher_pins_published_total")
    lateness = count("pinpublisher_pin_lateness_seconds_count")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RolledBack):
        with transaction.atomic():
            assert pin_publish(pin_id=pin.pk, trigger="manual").success
            raise RolledBack  # whatever wrapped the publish failed: its decision is undone
    assert count("pinpublisher_pins_published_total") == before
    assert count("pinpublisher_pin_lateness_seconds_count") == lateness
    assert Pin.objects.get(pk=pin.pk).status != "published"


def test_the_same_publish_committed_is_counted_once(standin, settings, django_capture_on_commit_callbacks):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    (pin,) = standin_pins(standin)
    before = count("pinpublisher_pins_published_total")
    with django_capture_on_commit_callbacks(execute=True):
        assert pin_publish(pin_id=pin.pk, trigger="manual").success
    assert count("pinpublisher_pins_published_total") == before + 1


def test_failures_and_reconciliations_rolled_back_are_not_counted(django_capture_on_commit_callbacks):
    pin_id = make_pin().pk
    failed = count("pinpublisher_pins_failed_total", reason="refused")
    reconciled = count("pinpublisher_pins_reconciled_total", result="published")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RolledBack):
        with transaction.atomic():
            pin_failed.send(sender=Pin, pin_id=pin_id, error="Pinterest said no", failed_at=timezone.now())
            pin_reconciled.send(sender=Pin, pin_id=pin_id, status="published", pinterest_pin_id="1",
                                pinterest_pin_url="u", error="")
            raise RolledBack
    assert count("pinpublisher_pins_failed_total", reason="refused") == failed
    assert count("pinpublisher_pins_reconciled_total", result="published") == reconciled
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        pin_failed.send(sender=Pin, pin_id=pin_id, error="Pinterest said no", failed_at=timezone.now())
    assert count("pinpublisher_pins_failed_total", reason="refused") == failed + 1


def upload(transport):
    session = requests.Session()
    session.mount("https://", transport)
    client = PinterestClient(client_config(), "pina_token", session=session)
    data, file = video(1000)
    client.upload_media(upload_url=UPLOAD_URL, upload_parameters=UPLOAD_PARAMETERS, file=file,
                        filename="soup.mp4", content_type="video/mp4", size=len(data))


@pytest.mark.parametrize("transport, status", [
    (RecordingTransport(status=204), "204"),
    (RecordingTransport(status=403, text="<Error><Code>AccessDenied</Code></Error>"), "403"),
    (RecordingTransport(error=requests.exceptions.ConnectionError("reset")), "none"),
])
def test_video_uploads_are_counted_under_the_media_upload_endpoint_without_their_key(transport, status):
    labels = {"endpoint": "media_upload", "method": "POST", "status": status}
    before = count("pinpublisher_pinterest_answers_total", **labels)
    timed = count("pinpublisher_pinterest_request_seconds_count", endpoint="media_upload", method="POST")
    try:
        upload(transport)
    except Exception:  # a refused or broken upload raises; it is counted all the same
        pass
    assert count("pinpublisher_pinterest_answers_total", **labels) == before + 1
    assert count("pinpublisher_pinterest_request_seconds_count", endpoint="media_upload", method="POST") == timed + 1
    exported = "\n".join(
        f"{sample.labels}" for family in REGISTRY.collect() for sample in family.samples
        if sample.name.startswith("pinpublisher_pinterest")
    )
    assert UPLOAD_PARAMETERS["key"] not in exported and "s3-accelerate" not in exported
