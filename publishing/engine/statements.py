"""The scheduled path's querysets compiled by Django once, then run with each call's values (issue 30).

Profiled on the scheduled path (py-spy, GIL held): Django compiling the claim's and the
dispatcher's look's querysets again on every call (resolving lookups, the select-related
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

PostgreSQL only (``combined.enabled()``): its backend passes datetimes through to the driver
as they are, so a marker is found by value. The callers keep their plain querysets for SQLite.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.sql import Query

_DATETIME_BASE = datetime(1903, 3, 3, 3, 3, 3, tzinfo=UTC)
_INT_BASE = -7_300_000_000


@dataclass(frozen=True)
class _Slot:
    """One parameter: the argument ``name`` (element ``index`` of a list argument), or ``value``."""

    name: str | None
    index: int | None
    value: Any


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple[_Slot, ...]
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool
    query: Query

    def params(self, values: dict[str, Any]) -> tuple:
        return tuple(
            slot.value if slot.name is None
            else values[slot.name] if slot.index is None
            else values[slot.name][slot.index]
            for slot in self.slots
        )


class _Bound(Query):
    """A query whose compiler runs ``compiled``'s SQL with ``bound`` parameters, already set up."""

    compiled: _Compiled
    bound: tuple = ()

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = super().get_compiler(using, connection, elide_empty)
        compiled, bound = self.compiled, self.bound
        compiler.select, compiler.klass_info = compiled.select, compiled.klass_info
        compiler.annotation_col_map, compiler.col_count = compiled.annotation_col_map, compiled.col_count
        compiler.has_extra_select = compiled.has_extra_select
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, bound)
        return compiler


class Precompiled:
    """A queryset built by ``build`` from its arguments, compiled once per key (see the module).

    ``datetimes`` and ``ints`` name ``build``'s arguments of those types; ``int_lists`` those
    that are lists of integers (their length is part of the key)."""

    def __init__(self, build: Callable[..., QuerySet], *, datetimes: tuple[str, ...] = (),
                 ints: tuple[str, ...] = (), int_lists: tuple[str, ...] = ()) -> None:
        self._build = build
        self._datetimes, self._ints, self._int_lists = datetimes, ints, int_lists
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *, key: tuple = (), **values: Any) -> QuerySet:
        """The queryset for ``values`` (every argument of ``build`` by name, lists as tuples)."""
        lists = {name: tuple(values[name]) for name in self._int_lists}
        values = {**values, **lists}
        full_key = (key, tuple(len(lists[name]) for name in self._int_lists))
        compiled = self._compiled.get(full_key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(full_key) or self._compile(key, lists)
                self._compiled[full_key] = compiled
        query = copy.copy(compiled.query)
        assert isinstance(query, _Bound)
        query.bound = compiled.params(values)
        return QuerySet(model=query.model, query=query)

    def _compile(self, key: tuple, lists: dict[str, tuple]) -> _Compiled:
        markers: dict[str, Any] = {}
        where: dict[tuple[type, Any], tuple[str, int | None]] = {}
        serial = iter(range(1, 1_000_000))
        for name in self._datetimes:
            markers[name] = _DATETIME_BASE + timedelta(microseconds=next(serial))
            where[(datetime, markers[name])] = (name, None)
        for name in self._ints:
            markers[name] = _INT_BASE - next(serial)
            where[(int, markers[name])] = (name, None)
        for name in self._int_lists:
            markers[name] = tuple(_INT_BASE - next(serial) for _ in lists[name])
            for index, marker in enumerate(markers[name]):
                where[(int, marker)] = (name, index)
        queryset = self._build(key=key, **markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots, seen = [], set()
        for param in params:
            found = where.get((type(param), param)) if isinstance(param, datetime | int) else None
            if found:
                seen.add(found)
                slots.append(_Slot(found[0], found[1], None))
            elif isinstance(param, str | bool | type(None)):
                slots.append(_Slot(None, None, param))
            else:  # a number or a time the arguments derive: its value would be stale
                raise AssertionError(f"precompiled: the parameter {param!r} is neither a marker nor a constant")
        missing = set(where.values()) - seen
        written = [value for (_kind, value) in where if str(value) in sql]
        if missing or written or _DATETIME_BASE.strftime("%Y-%m-%d") in sql:
            raise AssertionError(f"precompiled: markers {sorted(missing)} are not among the parameters or "
                                 f"{written} are in the SQL text: put what changes the text in the key")
        query = queryset.query.chain(_Bound)
        assert isinstance(query, _Bound)
        query.compiled = _Compiled(
            sql=sql, slots=tuple(slots), select=compiler.select, klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map, col_count=compiler.col_count,
            has_extra_select=compiler.has_extra_select, query=query,
        )
        return query.compiled

