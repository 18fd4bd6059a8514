"""The scheduled path's cost (issue 30): what a published pin asks of the database, and the
combined statements (``publishing.engine.combined``) doing what the portable ones do."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publishing.engine import audit, lease, outcome
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Pin, PinStatus, PublishAttempt, PublishBatch, PublishBatchItem, PublishTrigger
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db


def due(standin, count=1, **kwargs):
    return standin_pins(standin, count=count, scheduled_at=timezone.now() - timedelta(minutes=1), **kwargs)


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.mark.postgres
def test_a_scheduled_pin_costs_at_most_six_statements_on_postgresql_looks_included(standin, settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 10
    pins = [pin for _ in range(3) for pin in due(standin)]  # three accounts, a pin each
    with CaptureQueriesContext(db_connection) as queries:
        report = pins_dispatch(report=WorkReport(), deadline=float("inf"))
    assert report.published == 3
    statements = _statements(queries.captured_queries)
    assert len(statements) <= 6 * len(pins), "\n".join(statements)
    for pin in pins:
        (attempt,) = PublishAttempt.objects.filter(pin=pin)
        assert (attempt.outcome, attempt.http_status) == (PublishAttempt.Outcome.SUCCESS, 201)
        assert attempt.finished_at is not None and attempt.pinterest_pin_id
        connection = pin.project.pinterest_connection
        connection.refresh_from_db()
        # The slot moved to the create's start plus the interval, in the attempt's statement.
        assert connection.next_publish_at == attempt.started_at + timedelta(seconds=10)


def test_a_claim_takes_only_as_many_pins_as_asked_and_returns_them_with_their_relations(standin):
    pins = due(standin, count=3)
    connection_id = pins[0].project.pinterest_connection_id
    (claimed,) = lease.claim_due(connection_id=connection_id, now=timezone.now(), limit=1)
    assert Pin.objects.filter(status=PinStatus.PUBLISHING).count() == 1
    stored = Pin.objects.get(pk=claimed.pk)
    assert (stored.status, stored.publishing_started_at, stored.claimed_at) == (
        claimed.status, claimed.publishing_started_at, claimed.claimed_at)
    with CaptureQueriesContext(db_connection) as queries:
        assert claimed.board.connection_id == claimed.project.pinterest_connection.pk == connection_id
        assert claimed.article.url and claimed.board.name and claimed.board_section is None
    assert not queries.captured_queries  # read with the claim (the board's account is the project's: not read again)
    assert len(lease.claim_due(connection_id=connection_id, now=timezone.now(), limit=5)) == 2


def test_a_decision_tells_the_pins_pending_batch_items_and_closes_the_batch(standin):
    (pin,) = due(standin)
    batch = PublishBatch.objects.create(tenant=pin.project.tenant, total=1, trigger=PublishTrigger.BULK)
    PublishBatchItem.objects.create(batch=batch, pin=pin)
    (held,) = lease.claim_due(connection_id=pin.project.pinterest_connection_id, now=timezone.now(), limit=1)
    attempt = audit.attempt_start(pin=held, trigger=PublishTrigger.SWEEP)
    audit.attempt_end(attempt, outcome=audit.Outcome.SUCCESS, pinterest_pin_id="101", http_status=201, save=False)
    assert outcome.record_created(pin=held, pinterest_pin_id="101", ended=attempt).success
    item = PublishBatchItem.objects.get(batch=batch)
    assert (item.success, item.finished_at is not None) == (True, True)
    batch.refresh_from_db()
    assert batch.finished_at is not None
    attempt.refresh_from_db()
    assert (attempt.outcome, attempt.pinterest_pin_id) == (PublishAttempt.Outcome.SUCCESS, "101")


def test_a_create_whose_pinterest_id_a_look_gave_another_pin_still_ends_its_attempt(standin):
    guessed, pin = due(standin, count=2)
    Pin.objects.filter(pk=guessed.pk).update(status=PinStatus.PUBLISHED, pinterest_pin_id="202")
    (held,) = lease.claim_due(connection_id=pin.project.pinterest_connection_id, now=timezone.now(), limit=1)
    assert held.pk == pin.pk
    attempt = audit.attempt_start(pin=held, trigger=PublishTrigger.SWEEP)
    audit.attempt_end(attempt, outcome=audit.Outcome.SUCCESS, pinterest_pin_id="202", http_status=201, save=False)
    result = outcome.record_created(pin=held, pinterest_pin_id="202", ended=attempt)
    assert result.success and result.pinterest_pin_id == "202"
    guessed.refresh_from_db()
    assert (guessed.status, guessed.pinterest_pin_id) == (PinStatus.ERROR, "")
    attempt.refresh_from_db()  # the decision's statement rolled back; the row was ended on its own
    assert (attempt.outcome, attempt.pinterest_pin_id, attempt.http_status) == (
        PublishAttempt.Outcome.SUCCESS, "202", 201)


def test_a_dispatcher_from_the_end_serves_a_looks_free_accounts_last_first(standin):
    pins = [pin for _ in range(3) for pin in due(standin)]
    pins_dispatch(report=WorkReport(), deadline=float("inf"), from_end=True)
    order = sorted(pins, key=lambda pin: pin.project.pinterest_connection_id, reverse=True)
    published = {pin.pk: pin.pinterest_pin_id for pin in Pin.objects.filter(pk__in=[p.pk for p in pins])}
    assert [creation.pin_id for creation in standin.creations] == [published[pin.pk] for pin in order]
