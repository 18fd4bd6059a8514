"""Races with real threads on PostgreSQL: claims, batches and pacing across paths."""

import time
from collections import Counter

import pytest

from publishing.engine import (
    PinNotPublishable,
    batch_summary,
    pin_publish,
    pins_publish_bulk,
)
from publishing.engine.work import WorkReport, pins_dispatch
from publishing.models import Pin, PinStatus, PublishBatch
from tests.factories import make_tenant
from tests.publishing.helpers import in_threads, pacing_gaps, standin_account, standin_pins

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def dispatch():
    return pins_dispatch(report=WorkReport(), deadline=time.monotonic() + 60)


def test_eight_concurrent_publishes_of_one_pin_create_it_once(standin):
    (pin,) = standin_pins(standin)
    results = in_threads([lambda: pin_publish(pin_id=pin.pk, trigger="manual")] * 8)
    successes = [r for r in results if not isinstance(r, Exception)]
    refusals = [r for r in results if isinstance(r, PinNotPublishable)]
    assert len(successes) == 1 and successes[0].success
    assert len(refusals) == 7
    assert standin.created_count() == 1
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHED


def _tenant_with_pins(standin, connections_count, pins_per_connection):
    tenant = make_tenant()
    groups = []
    for _ in range(connections_count):
        connection, (board,) = standin_account(standin, tenant=tenant)
        groups.append(standin_pins(standin, count=pins_per_connection, connection=connection, board=board))
    return tenant, groups


def test_two_bulk_batches_over_the_same_pins_create_each_pin_exactly_once(standin, monkeypatch):
    tenant, groups = _tenant_with_pins(standin, 5, 20)
    all_ids = [p.pk for group in groups for p in group]
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)  # we run the groups ourselves
    batches = [pins_publish_bulk(tenant=tenant, pin_ids=all_ids) for _ in range(2)]
    results = in_threads([dispatch] * 4)  # as four runners would, in two clusters
    assert not [r for r in results if isinstance(r, Exception)]
    assert standin.created_count() == 100
    assert max(Counter(c.body_hash for c in standin.creations).values()) == 1
    assert Pin.objects.filter(status=PinStatus.PUBLISHED).count() == 100
    for batch in batches:
        summary = batch_summary(batch=PublishBatch.objects.get(pk=batch.pk))
        assert (summary["published"], summary["pending"]) == (100, 0)


def test_a_batch_task_delivered_twice_at_once_creates_nothing_more(standin, monkeypatch):
    tenant, (group,) = _tenant_with_pins(standin, 1, 10)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    batch = pins_publish_bulk(tenant=tenant, pin_ids=[p.pk for p in group])
    ids = [p.pk for p in group]
    assert len(ids) == 10
    in_threads([dispatch] * 2)
    assert standin.created_count() == 10
    assert batch_summary(batch=batch)["published"] == 10


def test_pacing_holds_across_two_paths_at_once_on_the_standins_clock(standin, settings, monkeypatch):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0.5
    tenant, (group,) = _tenant_with_pins(standin, 1, 5)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    pins_publish_bulk(tenant=tenant, pin_ids=[p.pk for p in group[:3]])
    in_threads(
        [
            dispatch,
            lambda: [pin_publish(pin_id=p.pk, trigger="manual") for p in group[3:]],
        ]
    )
    sent, stored = pacing_gaps(standin)
    assert len(sent) == 4
    # Slots are taken in the database at least the interval apart; the stand-in's clock adds the
    # machine's jitter (measured by bench/sweep_bench.py), bounded loosely here.
    assert min(sent) >= 0.5 - 0.005, sent
    assert min(stored) >= 0.25, stored


def test_pins_of_two_connections_interleave_rather_than_wait_for_each_other(standin, settings, monkeypatch):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0.2
    tenant, groups = _tenant_with_pins(standin, 2, 3)
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *a, **k: None)
    pins_publish_bulk(tenant=tenant, pin_ids=[p.pk for g in groups for p in g])
    dispatch()  # one dispatcher: its calls interleave the accounts by their slots
    boards = [record.board_id for record in sorted(standin.creations, key=lambda r: r.time)]
    first_board = boards[0]
    # Interleaved: the first connection's three creates are not all before the second's.
    assert boards[:3] != [first_board] * 3, boards
