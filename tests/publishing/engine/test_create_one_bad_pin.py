"""Whatever goes wrong while preparing or publishing one pin stays with that pin."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from publishing.engine import (
    MSG_IMAGE_MISSING,
    MSG_NO_BOARD,
    MSG_NO_IMAGE,
    outcome,
    payload,
    pin_publish,
    pins_publish_due,
)
from publishing.models import Pin, PinStatus
from tests.factories import make_pin
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db


def due(standin, count):
    return standin_pins(standin, count=count, scheduled_at=timezone.now() - timedelta(minutes=5))


def status_and_error(pin):
    pin = Pin.objects.get(pk=pin.pk)
    return pin.status, pin.error_message


def test_a_due_pin_without_an_image_fails_alone_and_the_sweep_goes_on(standin):
    healthy = due(standin, 2)
    bare = make_pin(project=healthy[0].project, board=healthy[0].board, with_image=False,
                    scheduled_at=timezone.now() - timedelta(minutes=10))
    out = io.StringIO()
    call_command("publish_due", "--json", stdout=out)  # exits 0: no exception escapes
    summary = json.loads(out.getvalue())
    assert status_and_error(bare) == (PinStatus.ERROR, MSG_NO_IMAGE)
    assert [status_and_error(pin)[0] for pin in healthy] == [PinStatus.PUBLISHED] * 2
    assert (summary["total"], summary["published"], summary["failed"]) == (3, 2, 1)
    assert standin.created_count() == 2
    # The next run has nothing left to trip on.
    assert pins_publish_due()["total"] == 0


def test_a_due_pin_without_a_board_fails_alone(standin):
    healthy = due(standin, 1)
    boardless = make_pin(project=healthy[0].project, board=None, scheduled_at=timezone.now() - timedelta(minutes=10))
    pins_publish_due()
    assert status_and_error(boardless) == (PinStatus.ERROR, MSG_NO_BOARD)
    assert status_and_error(healthy[0])[0] == PinStatus.PUBLISHED


def test_an_image_gone_from_storage_says_so_without_server_paths(standin, settings):
    gone, healthy = due(standin, 2)
    gone.image.storage.delete(gone.image.name)
    report = pins_publish_due()
    status, error = status_and_error(gone)
    assert (status, error) == (PinStatus.ERROR, MSG_IMAGE_MISSING)
    assert str(settings.MEDIA_ROOT) not in json.dumps(report, default=str)
    assert status_and_error(healthy)[0] == PinStatus.PUBLISHED


def test_an_image_gone_from_storage_on_publish_now_is_an_error_on_the_pin(standin):
    (pin,) = standin_pins(standin)
    pin.image.storage.delete(pin.image.name)
    result = pin_publish(pin_id=pin.pk)
    assert not result.success and result.error == MSG_IMAGE_MISSING
    assert standin.created_count() == 0


def test_an_unexpected_exception_fails_that_pin_logs_it_once_and_the_others_publish(standin, monkeypatch, caplog):
    broken, *healthy = due(standin, 3)
    real_build = payload.build_pin_create

    def build(**kwargs):
        if kwargs["title"] == broken.title:
            raise KeyError("a bug")
        return real_build(**kwargs)

    monkeypatch.setattr(payload, "build_pin_create", build)
    with caplog.at_level(logging.ERROR):
        report = pins_publish_due()
    status, error = status_and_error(broken)
    assert status == PinStatus.ERROR and str(broken.pk) in error and "KeyError" not in error
    assert [status_and_error(pin)[0] for pin in healthy] == [PinStatus.PUBLISHED] * 2
    assert (report["published"], report["failed"]) == (2, 1)
    logged = [record for record in caplog.records if str(broken.pk) in record.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None


def test_an_unexpected_exception_after_the_create_was_sent_leaves_the_pin_to_the_look(standin, monkeypatch):
    (pin,) = due(standin, 1)

    def crash(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(outcome, "record_created", crash)
    result = pin_publish(pin_id=pin.pk)
    assert result.status == PinStatus.PUBLISHING and status_and_error(pin)[0] == PinStatus.PUBLISHING
    assert standin.created_count() == 1
