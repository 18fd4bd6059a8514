"""/healthz and /readyz: each readiness check fails on its own, named in the JSON, with 503."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from ops import readiness
from publishing.models import PinStatus, PublishRunner
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedules():
    call_command("setup_schedules", stdout=None)


def ready(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ok_when_every_check_passes(client, schedules):
    status, body = ready(client)
    assert status == 200, body
    assert body == {"status": "ok", "failed": [], "checks": dict.fromkeys(readiness.CHECKS, "ok")}


def test_readyz_fails_when_the_database_does_not_answer_and_skips_what_needs_it(client, schedules, monkeypatch):
    class DeadCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(readiness.connection, "cursor", lambda: DeadCursor())
    status, body = ready(client)
    assert status == 503 and body["failed"] == ["database"]
    assert "does not answer (OperationalError)" in body["checks"]["database"]
    assert body["checks"]["migrations"] == body["checks"]["schedules"] == body["checks"]["runner"] == "skipped"
    assert body["checks"]["broker"] == "ok"


def test_readyz_fails_when_a_migration_is_not_applied(client, schedules, monkeypatch):
    class Unapplied:
        app_label, name = "publishing", "0099_future"

    monkeypatch.setattr(readiness.MigrationExecutor, "migration_plan", lambda self, targets: [(Unapplied, False)])
    status, body = ready(client)
    assert status == 503 and body["failed"] == ["migrations"]
    assert "publishing.0099_future" in body["checks"]["migrations"]


def test_readyz_fails_when_the_broker_does_not_answer(client, schedules, monkeypatch):
    class DeadBroker:
        def ping(self):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(readiness, "get_broker", lambda: DeadBroker())
    status, body = ready(client)
    assert status == 503 and body["failed"] == ["broker"]
    assert "ConnectionError" in body["checks"]["broker"]


def test_readyz_fails_naming_each_schedule_missing(client):
    status, body = ready(client)
    assert status == 503 and body["failed"] == ["schedules"]
    for name in readiness.SCHEDULES:
        assert name in body["checks"]["schedules"]


def test_readyz_fails_when_pins_are_due_and_no_runner_was_seen(client, schedules, standin):
    standin_pins(standin, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now() - timedelta(minutes=3))
    status, body = ready(client)
    assert status == 503 and body["failed"] == ["runner"]
    assert "qcluster" in body["checks"]["runner"]
    PublishRunner.objects.create(slot=0, token="a" * 32, held_until=timezone.now() + timedelta(seconds=10))
    assert ready(client)[0] == 200


def test_readyz_does_not_ask_for_a_runner_while_pins_are_only_just_due(client, schedules, standin):
    standin_pins(standin, status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now() - timedelta(seconds=30))
    assert ready(client)[0] == 200
