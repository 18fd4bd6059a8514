"""Querysets compiled once and bound per call (``pinpublisher.statements``): the same rows
and model instances as the plain queryset, for every call's values, and a queryset whose text
would depend on a value refused at its first compile rather than run stale (PostgreSQL only:
the precompiled path is used there)."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pinpublisher.statements import Precompiled
from pinterest.models import PinterestConnection
from publishing.engine import lease, looks
from publishing.models import Pin
from publishing.selectors import pins_due, pins_with_relations
from tests.publishing.helpers import standin_pins

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _due_of(*, key, connection_id, now):
    (limit,) = key
    return (pins_with_relations().filter(pk__in=pins_due(now=now).values("id"))
            .filter(project__pinterest_connection_id=connection_id).order_by("scheduled_at", "id")[:limit])


def test_a_precompiled_queryset_gives_each_calls_rows_with_their_relations(standin):
    now = timezone.now()
    first = standin_pins(standin, count=3, scheduled_at=now - timedelta(minutes=3))
    second = standin_pins(standin, count=2, scheduled_at=now - timedelta(minutes=1))
    later = standin_pins(standin, count=1, connection=first[0].project.pinterest_connection,
                         board=first[0].board, scheduled_at=now + timedelta(hours=1))
    due_of = Precompiled(_due_of, datetimes=("now",), ints=("connection_id",))
    for pins, limit in ((first, 2), (second, 2), (first, 5)):
        connection_id = pins[0].project.pinterest_connection_id
        plain = list(_due_of(key=(limit,), connection_id=connection_id, now=now))
        with CaptureQueriesContext(db_connection) as queries:
            precompiled = list(due_of(key=(limit,), connection_id=connection_id, now=now))
            assert [pin.board.connection_id for pin in precompiled] == [connection_id] * len(precompiled)
            assert all(pin.board.name for pin in precompiled)
            assert all(pin.article.url and pin.project.pinterest_connection.pk for pin in precompiled)
        assert len(queries.captured_queries) == 1  # the relations came with the rows
        assert [pin.pk for pin in precompiled] == [pin.pk for pin in plain]
        assert len(plain) == min(limit, len(pins)) and {pin.pk for pin in plain} <= {pin.pk for pin in pins}
    connection_id = later[0].project.pinterest_connection_id
    two_hours_on = list(due_of(key=(9,), connection_id=connection_id, now=now + timedelta(hours=2)))
    assert [pin.pk for pin in two_hours_on][-1] == later[0].pk
    assert {pin.pk for pin in two_hours_on} == {pin.pk for pin in first + later}


def test_a_value_the_queryset_derives_from_an_argument_is_refused_at_the_first_compile(standin):
    def an_hour_before(*, key, now):
        return Pin.objects.filter(scheduled_at__lte=now - timedelta(hours=1))

    with pytest.raises(AssertionError, match="neither a marker nor a constant"):
        list(Precompiled(an_hour_before, datetimes=("now",))(now=timezone.now()))


def test_a_value_written_into_the_sql_text_is_refused_unless_it_is_in_the_key(standin):
    def numbered(*, key, number):  # the number written into the text (as a LIMIT would be)
        return Pin.objects.annotate(number=RawSQL(f"{number}", ())).order_by("id")

    with pytest.raises(AssertionError, match="in the SQL text"):
        list(Precompiled(numbered, ints=("number",))(number=3))


def test_the_dispatchers_look_is_the_plain_querysets_for_each_number_excluded(standin):
    now = timezone.now()
    pins = [pin for _ in range(5) for pin in standin_pins(standin, scheduled_at=now - timedelta(minutes=1))]
    ids = sorted(pin.project.pinterest_connection_id for pin in pins)
    PinterestConnection.objects.filter(pk=ids[4]).update(next_publish_at=now + timedelta(minutes=5))
    for excluded in ([], ids[:1], ids[:3], ids[1:4], ids[:5]):
        look = looks.accounts_look(now=now, exclude=excluded, limit=10)
        plain = list(looks._look_queryset(key=(10,), now=now, exclude=excluded))
        assert [ready.connection.pk for ready in look.ready] == [row.pk for row in plain if row.pk != ids[4]]
        assert {ready.connection.pk for ready in look.ready} == set(ids[:4]) - set(excluded)
        assert look.next_slot == (None if ids[4] in excluded else now + timedelta(minutes=5))


def test_the_claim_runs_prepared_on_the_server_with_its_constants_in_the_text(standin):
    pins = standin_pins(standin, count=8, scheduled_at=timezone.now() - timedelta(minutes=1))
    connection_id = pins[0].project.pinterest_connection_id
    with CaptureQueriesContext(db_connection) as queries:
        for _ in range(7):
            lease.claim_due(connection_id=connection_id, now=timezone.now(), limit=1)
    claims = [query["sql"] for query in queries.captured_queries if "picked" in query["sql"]]
    assert len(claims) == 7
    # The partial index's predicate stays provable under a generic plan: the status is a literal.
    assert "= 'ready_to_schedule'" in claims[0]
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("picked" in (statement or "") for statement in prepared), prepared
    assert Pin.objects.filter(status="publishing").count() == 7


def test_without_prepared_statements_the_claim_runs_on_djangos_cursor_and_claims_the_same(standin, settings):
    settings.PUBLISH_PREPARED_STATEMENTS = False
    pins = standin_pins(standin, count=3, scheduled_at=timezone.now() - timedelta(minutes=1))
    connection_id = pins[0].project.pinterest_connection_id
    assert len(lease.claim_due(connection_id=connection_id, now=timezone.now(), limit=2)) == 2
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%picked%%'")
        assert cursor.fetchone()[0] == 0


def test_constants_are_written_in_as_quoted_literals_and_percent_signs_survive():
    from pinpublisher.statements import _Slot, _with_constants

    sql = "SELECT 1 WHERE a = %s AND b = %s AND c LIKE 'x%%' AND d = %s AND e = %s"
    slots = [_Slot(None, None, "it's"), _Slot("now", None, None), _Slot(None, None, True), _Slot(None, None, None)]
    text, kept = _with_constants(sql, slots)
    assert text == "SELECT 1 WHERE a = 'it''s' AND b = %s AND c LIKE 'x%%' AND d = TRUE AND e = NULL"
    assert [slot.name for slot in kept] == ["now"]


def _prepared_statements() -> list[str]:
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] or "" for row in cursor.fetchall()]


def test_the_pacing_slot_is_taken_by_one_prepared_compare_and_set_once_per_interval(settings):
    from pinterest.services.pacing import connection_take_publish_slot
    from tests.factories import make_connection

    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 10
    first, second = make_connection(), make_connection()
    now = timezone.now()
    assert connection_take_publish_slot(connection_id=first.pk, now=now) is True
    assert connection_take_publish_slot(connection_id=first.pk, now=now + timedelta(seconds=9)) is False
    assert connection_take_publish_slot(connection_id=second.pk, now=now + timedelta(seconds=9)) is True
    assert connection_take_publish_slot(connection_id=first.pk, now=now + timedelta(seconds=10)) is True
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.next_publish_at == now + timedelta(seconds=20)
    assert second.next_publish_at == now + timedelta(seconds=19)
    assert any('SET "next_publish_at"' in statement for statement in _prepared_statements())


def test_a_pins_webhook_endpoints_read_prepared_are_the_plain_querysets_for_each_tenant(standin):
    from webhooks.models import Endpoint, EventType
    from webhooks.selectors import endpoints_wanting, endpoints_wanting_for_pin

    ours, theirs = (standin_pins(standin, count=2)[1], standin_pins(standin)[0])
    tenant = ours.project.tenant
    every = Endpoint.objects.create(tenant=tenant, url="https://hooks.example.com/every")
    Endpoint.objects.create(tenant=tenant, url="https://hooks.example.com/off", is_active=False)
    failures = Endpoint.objects.create(tenant=tenant, url="https://hooks.example.com/failed",
                                       event_types=[EventType.PIN_FAILED])
    for pin_id in (ours.pk, str(ours.pk), theirs.pk):
        for event_type in (EventType.PIN_PUBLISHED, EventType.PIN_FAILED):
            plain = endpoints_wanting(event_type=event_type, tenant__projects__pins=pin_id)
            prepared = endpoints_wanting_for_pin(event_type=event_type, pin_id=pin_id)
            assert [endpoint.pk for endpoint in prepared] == [endpoint.pk for endpoint in plain]
    wanted = endpoints_wanting_for_pin(event_type=EventType.PIN_FAILED, pin_id=ours.pk)
    assert sorted(endpoint.pk for endpoint in wanted) == sorted([every.pk, failures.pk])
    assert endpoints_wanting_for_pin(event_type=EventType.PIN_FAILED, pin_id=theirs.pk) == []
    assert any("webhooks_endpoint" in statement for statement in _prepared_statements())
