"""ops' system checks, and every failure message the engine writes sorted into a bounded reason."""

import pytest

from ops.checks import metrics_token_check, multiprocess_dir_check
from ops.receivers import failure_reason
from publishing.engine import results
from publishing.engine.verdicts import MSG_RATE_LIMITED


def test_production_without_a_metrics_token_is_warned(settings):
    settings.DEBUG, settings.METRICS_TOKEN = False, ""
    assert [m.id for m in metrics_token_check()] == ["ops.W001"]
    settings.METRICS_TOKEN = "set"
    assert metrics_token_check() == []


def test_a_multiprocess_directory_that_is_not_there_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    assert [m.id for m in multiprocess_dir_check()] == ["ops.E001"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert multiprocess_dir_check() == []


@pytest.mark.parametrize("message, reason", [
    (results.MSG_NOT_CREATED.format(reason="timed out"), "not_created"),
    (results.MSG_INTERRUPTED, "interrupted"),
    (results.MSG_NOT_SENT, "interrupted"),
    (results.MSG_IMAGE_MISSING, "media_missing"),
    (results.MSG_IMAGE_UNREADABLE, "media_missing"),
    (results.MSG_UNEXPECTED.format(pin_id="abc"), "unexpected"),
    (results.MSG_MATCHED_ANOTHERS.format(id="123"), "matched_another"),
    (f"{results.UNCHECKED} (timed out); look at the board before publishing again", "unchecked"),
    (results.MSG_NO_BOARD, "invalid"),
    (results.MSG_NO_CONNECTION, "invalid"),
    (MSG_RATE_LIMITED.format(message="slow down"), "rate_limited"),
    ("Pinterest rejected the access token of @shop: expired", "token_rejected"),
    ("Invalid board 8812", "refused"),
])
def test_each_failure_message_has_a_bounded_reason(message, reason):
    assert failure_reason(message) == reason
