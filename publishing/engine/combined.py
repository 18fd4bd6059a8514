"""The scheduled path's steps as one statement each on PostgreSQL (issue 30: cost per pin).

Each function here does what the engine's portable code does in two or three statements
(``lease.claim_due``, ``audit.attempt_start`` with ``connection_defer_publishing``,
``audit.attempt_end`` with ``outcome.finish``), in one round trip, by PostgreSQL's
data-modifying ``WITH`` (every UPDATE or INSERT in a ``WITH`` runs exactly once and all of it
commits or rolls back together, as one statement in autocommit or in the caller's transaction).
So the exactly-once rules are the same ones, statement for statement:

- the claim is still the compare-and-set of ``lease`` on rows picked with ``FOR UPDATE SKIP
  LOCKED``, committed before any call; the pins come back with their relations from the same
  statement (read from the snapshot before the UPDATE: the claimed fields are set here, as the
  portable code does);
- the create's audit row is committed before the call, with the account's slot moved to the
  create's start plus the interval in the same statement;
- the create's row is ended and the pin decided (compare-and-set on the lease, ``lease.held``)
  together, with the pin's pending batch items told; the batches that closed, and the signals,
  follow in the same transaction (``outcome``).

Nothing here is used on SQLite: ``enabled()`` says when the caller may use it.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection as db_connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

from pinpublisher.statements import Precompiled, statement_cursor, update_sql
from pinterest.models import PinterestConnection
from pinterest.services.pacing import later_than
from publishing.models import Pin, PinStatus, PublishAttempt, PublishBatchItem
from publishing.selectors import pins_due, pins_with_relations


def enabled() -> bool:
    """Whether the combined statements may be used (PostgreSQL)."""
    return db_connection.vendor == "postgresql"


class _WithPrefix(Query):
    """A query whose SQL is preceded by a ``WITH`` (Django has no API for one)."""

    prefix: tuple[str, tuple] = ("", ())

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        plain = compiler.as_sql

        def as_sql(*args: Any, **kwargs: Any) -> tuple[str, tuple]:
            sql, params = plain(*args, **kwargs)
            return f"{self.prefix[0]} {sql}", (*self.prefix[1], *params)

        compiler.as_sql = as_sql
        return compiler


def _select_sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return sql, tuple(params)


def _claim_queryset(*, key: tuple, connection_id: int, claimed_at: datetime, now: datetime) -> QuerySet[Pin]:
    (limit,) = key
    pick_sql, pick_params = _select_sql(
        pins_due(now=now).filter(project__pinterest_connection_id=connection_id)
        .order_by("scheduled_at", "id").values("id")[:limit]
    )
    table = Pin._meta.db_table
    claim_sql, claim_params = update_sql(
        Pin.objects.filter(pk__in=RawSQL("SELECT id FROM picked", ()), status=PinStatus.READY_TO_SCHEDULE),
        {"status": PinStatus.PUBLISHING, "publishing_started_at": claimed_at, "claimed_at": claimed_at,
         "error_message": "", "updated_at": claimed_at},
    )
    queryset = pins_with_relations().filter(pk__in=RawSQL("SELECT id FROM claimed", ())).order_by("scheduled_at", "id")
    query = queryset.query.chain(_WithPrefix)
    assert isinstance(query, _WithPrefix)
    # Picked once (MATERIALIZED): a subquery with LIMIT under an UPDATE may be run again by the
    # plan, and with SKIP LOCKED a second run picks other pins.
    query.prefix = (
        f'WITH picked AS MATERIALIZED ({pick_sql} FOR UPDATE OF "{table}" SKIP LOCKED), '
        f'claimed AS ({claim_sql} RETURNING "{table}"."id")',
        (*pick_params, *claim_params),
    )
    queryset.query = query
    return queryset


_claim = Precompiled(_claim_queryset, datetimes=("claimed_at", "now"), ints=("connection_id",))


def claim_due(*, connection_id: int, claimed_at: datetime, now: datetime, limit: int) -> list[Pin]:
    """``lease.claim_due`` in one statement: the due pins picked (``SKIP LOCKED``), claimed
    by compare-and-set, and read with their relations (compiled once per limit: ``statements``)."""
    pins = list(_claim(key=(limit,), connection_id=connection_id, claimed_at=claimed_at, now=now))
    for pin in pins:  # read from the snapshot before the claim: what the claim wrote
        pin.status, pin.publishing_started_at, pin.claimed_at = PinStatus.PUBLISHING, claimed_at, claimed_at
        pin.error_message, pin.updated_at = "", claimed_at
    return pins


def _attempt_sql(*, key: tuple, pin_id: UUID, trigger: str, started_at: datetime, connection_id: int,
                 until: datetime) -> tuple[str, tuple]:
    (kind,) = key
    defer_sql, defer_params = update_sql(
        PinterestConnection.objects.filter(later_than(until), pk=connection_id), {"next_publish_at": until}
    )
    attempt = PublishAttempt(pin_id=pin_id, trigger=trigger, kind=kind, started_at=started_at)
    table = PublishAttempt._meta.db_table
    columns = [field for field in PublishAttempt._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(attempt, True), db_connection) for field in columns]
    names = ", ".join(f'"{field.column}"' for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"WITH deferred AS ({defer_sql}) INSERT INTO \"{table}\" ({names}) VALUES ({marks}) RETURNING \"id\""
    return sql, (*defer_params, *values)


_attempt = Precompiled(_attempt_sql, datetimes=("started_at", "until"), ints=("connection_id",),
                       strs=("trigger",), uuids=("pin_id",))


def attempt_start_deferring(*, pin: Pin, trigger: str, kind: str, started_at: datetime, connection_id: int,
                            until: datetime) -> PublishAttempt:
    """``audit.attempt_start`` and ``connection_defer_publishing(until=...)`` in one statement
    (compiled once per kind: ``statements``)."""
    sql, params = _attempt.statement(key=(kind,), pin_id=pin.pk, trigger=trigger, started_at=started_at,
                                     connection_id=connection_id, until=until)
    attempt = PublishAttempt(pin=pin, trigger=trigger, kind=kind, started_at=started_at)
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        attempt.pk = cursor.fetchone()[0]
    attempt._state.adding = False
    return attempt


def _decide_sql(*, key: tuple, pin_id: UUID, started_at: datetime, attempt_id: int, now: datetime, error: str,
                **fields: Any) -> tuple[str, tuple]:
    values_names, attempt_names, success, held = key
    end_sql, end_params = update_sql(
        PublishAttempt.objects.filter(pk=attempt_id), {name: fields[f"a_{name}"] for name in attempt_names}
    )
    pin_table = Pin._meta.db_table
    decide_sql, decide_params = update_sql(
        held(Pin(pk=pin_id, publishing_started_at=started_at)), {name: fields[f"v_{name}"] for name in values_names}
    )
    items_sql, items_params = update_sql(
        PublishBatchItem.objects.filter(pin_id__in=RawSQL("SELECT id FROM decided", ()), success__isnull=True),
        {"success": success, "skipped": False, "error": error, "finished_at": now},
    )
    batch_column = PublishBatchItem._meta.get_field("batch").column
    sql = (
        f"WITH ended AS ({end_sql}), decided AS ({decide_sql} RETURNING \"{pin_table}\".\"id\"), "
        f"told AS ({items_sql} RETURNING \"{batch_column}\") "
        "SELECT (SELECT count(*) FROM decided), ARRAY(SELECT DISTINCT \"{0}\" FROM told)".format(batch_column)
    )
    return sql, (*end_params, *decide_params, *items_params)


#: The decision's values (``outcome.finish``) and the attempt's ended fields (``audit.ENDED_FIELDS``).
_DECIDE_TIMES = ("v_updated_at", "v_published_at", "v_publishing_started_at", "a_finished_at")
_DECIDE_TEXTS = ("v_status", "v_pinterest_pin_id", "v_pinterest_pin_url", "v_error_message", "a_outcome",
                 "a_pinterest_request_id", "a_pinterest_pin_id", "a_error")
_decide = Precompiled(
    _decide_sql, datetimes=("started_at", "now", *_DECIDE_TIMES), ints=("attempt_id", "a_http_status"),
    strs=("error", *_DECIDE_TEXTS), uuids=("pin_id",),
)


def decide_with_attempt(*, held: Callable[[Pin], QuerySet], pin: Pin, values: dict[str, Any],
                        attempt: PublishAttempt, attempt_fields: list[str], success: bool, error: str,
                        now: datetime) -> tuple[bool, list]:
    """The attempt's end (its ``attempt_fields``, as set on it) and the pin's decision (the pin
    while ``held(pin)``, updated with ``values``) with its pending batch items told, in one
    statement, compiled once per shape (``statements``). Returns whether the pin was decided
    and the batches whose items were told. Raises IntegrityError (nothing changed) when the
    Pinterest pin id is another pin's."""
    fields = dict.fromkeys((*_DECIDE_TIMES, *_DECIDE_TEXTS, "a_http_status"))
    fields.update({f"v_{name}": value for name, value in values.items()})
    fields.update({f"a_{name}": getattr(attempt, name) for name in attempt_fields})
    unknown = set(fields) - {*_DECIDE_TIMES, *_DECIDE_TEXTS, "a_http_status"}
    if unknown:
        raise ValueError(f"decide_with_attempt: fields it does not know: {sorted(unknown)}")
    key = (tuple(values), tuple(attempt_fields), success, held)
    sql, params = _decide.statement(key=key, pin_id=pin.pk, started_at=pin.publishing_started_at,
                                    attempt_id=attempt.pk, now=now, error=error, **fields)
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        decided, batch_ids = cursor.fetchone()
    return bool(decided), list(batch_ids or [])
