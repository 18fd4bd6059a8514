"""Hot querysets compiled by Django once, then run with each call's values (issue 30).

Here in the project package because the hot path crosses apps: publishing's engine (the claim,
the dispatcher's look, the decision), pinterest's pacing slot and the webhooks' endpoint look
all use it. Profiled on the scheduled path (py-spy, GIL held): Django compiling the claim's, the
dispatcher's look's and the decision's querysets again on every call (resolving lookups, the select-related
columns, the ORDER BY) was about half of a worker's CPU per published pin; their SQL text is the
same every time, only the values differ. So:

``Precompiled(build)``: ``build(**markers)`` returns the queryset as the caller would write it,
built from markers (for each argument a value of its type no real call passes: an aware datetime
in 1903, a large negative integer). The first call per ``key`` compiles it and learns which
positions of the parameters hold which argument; every call then binds its own values there
and runs the SQL with the compiler's column map, so the rows become model instances as
Django's own iteration makes them (``select_related`` included). What may differ between calls
goes in ``key``: a LIMIT, which Django writes into the text, and the length of a list. A marker
that Django wrote into the text, or dropped, is an error at the first compile, never a wrong
statement; so is a parameter that is not a marker and not a constant.

PostgreSQL only (``enabled()``): its backend passes datetimes through to the driver
as they are, so a marker is found by value. The callers keep their plain querysets for SQLite.

Prepared on the server (the setting ``PUBLISH_PREPARED_STATEMENTS``, on by default): Django binds parameters
on the client, so PostgreSQL parsed and planned every claim again (4 ms of planning against 1 ms
of execution for the claim's seven-table read). These statements run on a server-binding cursor
instead (``prepared_cursor``), which psycopg prepares at their first run on a connection
(``prepare_threshold`` 0 for them); the constants a queryset holds (a status) are written into the text
first, so that a generic plan can still prove a partial index's predicate
(``status = 'ready_to_schedule'``) and PostgreSQL keeps one plan instead of planning each call.
Turn it off behind a transaction-mode pooler that does not keep prepared statements.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections
from django.db import connection as db_connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import QuerySet
from django.db.models.sql import Query
from django.db.models.sql.constants import MULTI
from django.db.models.sql.subqueries import UpdateQuery

from pinpublisher.conf import project_settings

_DATETIME_BASE = datetime(1903, 3, 3, 3, 3, 3, tzinfo=UTC)
_INT_BASE = -7_300_000_000


@dataclass(frozen=True)
class _Slot:
    """One parameter: the argument ``name`` (element ``index`` of a list argument), or ``value``."""

    name: str | None
    index: int | None
    value: Any
    #: The type Django gave the parameter when it is not the argument's own (psycopg's ``Int2``
    #: for a small integer column): the call's value is given it too.
    wrap: type | None = None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple[_Slot, ...]
    #: The same statement with the constants written in, and the slots left (``prepared_cursor``).
    prepared_sql: str
    prepared_slots: tuple[_Slot, ...]
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool
    query: Query | None

    def params(self, values: dict[str, Any], *, prepared: bool = False) -> tuple:
        bound = []
        for slot in self.prepared_slots if prepared else self.slots:
            if slot.name is None:
                bound.append(slot.value)
                continue
            value = values[slot.name] if slot.index is None else values[slot.name][slot.index]
            bound.append(slot.wrap(value) if slot.wrap is not None else value)
        return tuple(bound)


class _Bound(Query):
    """A query whose compiler runs ``compiled``'s SQL with ``bound`` parameters, already set up."""

    compiled: _Compiled
    bound: tuple = ()
    prepared: bool = False

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        compiled, bound = self.compiled, self.bound
        compiler.select, compiler.klass_info = compiled.select, compiled.klass_info
        compiler.annotation_col_map, compiler.col_count = compiled.annotation_col_map, compiled.col_count
        compiler.has_extra_select = compiled.has_extra_select
        sql = compiled.prepared_sql if self.prepared else compiled.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)
        if self.prepared:
            def execute_sql(result_type: Any = MULTI, *args: Any, **kwargs: Any) -> Any:
                assert result_type == MULTI, "a precompiled queryset is only iterated"
                with prepared_cursor() as cursor:
                    cursor.execute(sql, bound)
                    rows = cursor.fetchall()
                return [[row[:compiled.col_count] for row in rows] if compiled.has_extra_select else rows]

            compiler.execute_sql = execute_sql
        return compiler


class Precompiled:
    """A queryset, or a statement's ``(sql, params)``, built by ``build`` from its arguments and
    compiled once per key (see the module).

    ``datetimes``, ``ints``, ``strs`` and ``uuids`` name ``build``'s arguments of those types;
    ``int_lists`` those that are lists of integers (their length is part of the key). An
    argument passed as None is given to ``build`` as None (Django writes a NULL into the text)
    and which ones were None is part of the key. A string that is always the same (a status)
    may stay in the queryset; one that varies must be an argument: a string parameter that is
    not a marker is taken for a constant."""

    def __init__(self, build: Callable[..., Any], *, datetimes: tuple[str, ...] = (), ints: tuple[str, ...] = (),
                 strs: tuple[str, ...] = (), uuids: tuple[str, ...] = (), int_lists: tuple[str, ...] = ()) -> None:
        self._build = build
        self._kinds = {**dict.fromkeys(datetimes, "datetime"), **dict.fromkeys(ints, "int"),
                       **dict.fromkeys(strs, "str"), **dict.fromkeys(uuids, "uuid"),
                       **dict.fromkeys(int_lists, "int_list")}
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *, key: tuple = (), **values: Any) -> QuerySet:
        """The queryset for ``values`` (every argument of ``build`` by name)."""
        prepared = prepared_statements()
        compiled, bound = self._bind(key, values, prepared=prepared)
        query = copy.copy(compiled.query)
        assert isinstance(query, _Bound)
        query.bound, query.prepared = bound, prepared
        return QuerySet(model=query.model, query=query)

    def statement(self, *, key: tuple = (), **values: Any) -> tuple[str, tuple]:
        """The statement's SQL and parameters for ``values`` (``build`` returns ``(sql, params)``),
        for ``prepared_cursor`` when ``prepared_statements()``, else for Django's cursor."""
        prepared = prepared_statements()
        compiled, bound = self._bind(key, values, prepared=prepared)
        return (compiled.prepared_sql if prepared else compiled.sql), bound

    def _bind(self, key: tuple, values: dict[str, Any], *, prepared: bool) -> tuple[_Compiled, tuple]:
        values = {name: tuple(value) if self._kinds.get(name) == "int_list" else value
                  for name, value in values.items()}
        shape = tuple(len(values[name]) if kind == "int_list" else values[name] is None
                      for name, kind in self._kinds.items())
        full_key = (key, shape)
        compiled = self._compiled.get(full_key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(full_key) or self._compile(key, values)
                self._compiled[full_key] = compiled
        return compiled, compiled.params(values, prepared=prepared)

    def _compile(self, key: tuple, values: dict[str, Any]) -> _Compiled:
        markers: dict[str, Any] = {}
        where: dict[tuple[type, Any], tuple[str, int | None]] = {}
        serial = iter(range(1, 1_000_000))
        for name, kind in self._kinds.items():
            if values[name] is None:
                markers[name] = None
                continue
            if kind == "int_list":
                markers[name] = tuple(_INT_BASE - next(serial) for _ in values[name])
                for index, marker in enumerate(markers[name]):
                    where[(int, marker)] = (name, index)
                continue
            markers[name] = _marker(kind, next(serial))
            where[(type(markers[name]), markers[name])] = (name, None)
        built = self._build(key=key, **markers)
        compiler = None
        if isinstance(built, QuerySet):
            compiler = built.query.get_compiler(using=built.db)
            sql, params = compiler.as_sql()
        else:
            sql, params = built
        slots, seen = [], set()
        for param in params:
            base: type = int if isinstance(param, int) and not isinstance(param, bool) else type(param)
            value = int(param) if base is int else param
            found = where.get((base, value)) if base in (datetime, int, str, UUID) else None
            if found:
                seen.add(found)
                slots.append(_Slot(found[0], found[1], None, None if type(param) is base else type(param)))
            elif isinstance(param, str | bool | type(None)):
                slots.append(_Slot(None, None, param))
            else:  # a number or a time the arguments derive: its value would be stale
                raise AssertionError(f"precompiled: the parameter {param!r} is neither a marker nor a constant")
        missing = set(where.values()) - seen
        written = [value for (_kind, value) in where if str(value) in sql]
        if missing or written or _DATETIME_BASE.strftime("%Y-%m-%d") in sql:
            raise AssertionError(f"precompiled: markers {sorted(missing)} are not among the parameters or "
                                 f"{written} are in the SQL text: put what changes the text in the key")
        query = None
        if compiler is not None:
            query = built.query.chain(_Bound)
            assert isinstance(query, _Bound)
        prepared_sql, prepared_slots = _with_constants(sql, slots)
        compiled = _Compiled(
            sql=sql, slots=tuple(slots), prepared_sql=prepared_sql, prepared_slots=prepared_slots,
            select=getattr(compiler, "select", None),
            klass_info=getattr(compiler, "klass_info", None),
            annotation_col_map=getattr(compiler, "annotation_col_map", None),
            col_count=getattr(compiler, "col_count", 0), has_extra_select=getattr(compiler, "has_extra_select", False),
            query=query,
        )
        if query is not None:
            query.compiled = compiled
        return compiled


def _marker(kind: str, serial: int) -> Any:
    if kind == "datetime":
        return _DATETIME_BASE + timedelta(microseconds=serial)
    if kind == "int":
        return _INT_BASE - serial
    if kind == "str":
        return f"\x1fprecompiled-{serial}\x1f"
    return UUID(int=(0x7EC0 << 112) + serial)


def enabled() -> bool:
    """Whether this thread's database is PostgreSQL, where ``Precompiled`` may be used."""
    return db_connection.vendor == "postgresql"


def prepared_statements() -> bool:
    """Whether the precompiled statements run prepared on the server (see the module)."""
    return bool(project_settings.PUBLISH_PREPARED_STATEMENTS)


def statement_cursor() -> Any:
    """Where a ``Precompiled.statement()`` runs: prepared on the server, or on Django's cursor."""
    return prepared_cursor() if prepared_statements() else db_connection.cursor()


def update_sql(queryset: QuerySet, values: dict[str, Any]) -> tuple[str, tuple]:
    """The UPDATE Django would run for ``queryset.update(**values)``, as SQL and parameters."""
    query = queryset.query.chain(UpdateQuery)
    assert isinstance(query, UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return sql, tuple(params)


def prepared_cursor() -> Any:
    """A cursor on this thread's connection that binds on the server (Django's own cursor class
    for ``server_side_binding``), wrapped as Django wraps every cursor (its query log and
    execute wrappers see what it runs)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    wrapper = connections[DEFAULT_DB_ALIAS]  # the thread's, once (each proxy attribute looks it up)
    wrapper.close_if_health_check_failed()
    wrapper.ensure_connection()
    wrapper.validate_thread_sharing()
    raw = wrapper.connection
    # Django turns psycopg's automatic preparing off for the connection (prepare_threshold None,
    # for poolers); its own cursors bind on the client and never prepare (unless OPTIONS sets
    # server_side_binding), so this affects only the statements run here: each is prepared at
    # its first run on a connection.
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 0
    with wrapper.wrap_database_errors:
        cursor: Any = ServerBindingCursor(raw)  # type: ignore[call-arg]
    if wrapper.queries_logged:
        return _LoggedAsWritten(cursor, wrapper)
    return wrapper.make_cursor(cursor)


class _LoggedAsWritten(CursorDebugWrapper):
    """Django's query log, with the statement as written (its placeholders): Django reads the SQL
    it logs back from the cursor, which a prepared execution does not keep."""

    @contextmanager
    def debug_sql(self, sql: Any = None, params: Any = None, use_last_executed_query: bool = False,
                  many: bool = False) -> Iterator[None]:
        with super().debug_sql(sql, params, use_last_executed_query=False, many=many):
            yield


_PLACEHOLDER = re.compile(r"%%|%s")


def _with_constants(sql: str, slots: list[_Slot]) -> tuple[str, tuple[_Slot, ...]]:
    """``sql`` with each constant slot's value written in as a literal, and the slots left."""
    kept: list[_Slot] = []
    slot_iter = iter(slots)

    def replace(match: re.Match) -> str:
        if match.group(0) == "%%":
            return "%%"
        slot = next(slot_iter)
        if slot.name is not None:
            kept.append(slot)
            return "%s"
        return _literal(slot.value)

    text = _PLACEHOLDER.sub(replace, sql)
    if next(slot_iter, None) is not None:
        raise AssertionError("precompiled: fewer placeholders than parameters in the SQL")
    return text, tuple(kept)


def _literal(value: str | bool | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if any(char in value for char in "\\\x00%"):  # a backslash, a NUL, or what the driver reads as a placeholder
        raise AssertionError(f"precompiled: a constant {value!r} is not written into SQL")
    return "'" + value.replace("'", "''") + "'"
