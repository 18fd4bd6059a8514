"""The dispatcher's look: which accounts have work and a free slot, in one query.

Work is a due pin (``pins_due``) or a bulk batch's pin waiting (``batch_items_waiting``). Each list
is an uncorrelated subquery, which PostgreSQL reads once per query (a hashed SubPlan: the due
pins through the ready pins' partial index), whatever the number of accounts; an ``EXISTS`` per
account under an ``OR`` read the pin table once per account.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, QuerySet, Value, When

from pinpublisher.statements import Precompiled
from pinterest.models import PinterestConnection
from publishing.engine import combined
from publishing.selectors import batch_items_waiting, pins_due


@dataclass(frozen=True)
class Ready:
    """An account whose slot is free, as the look read it."""

    connection: PinterestConnection
    batch_waiting: bool


@dataclass(frozen=True)
class Look:
    ready: list[Ready]
    #: When the next account with work gets its slot (None: none beyond those read).
    next_slot: datetime | None


def accounts_look(*, now: datetime, exclude: Iterable[int], limit: int) -> Look:
    """Up to ``limit`` accounts with work (but those in ``exclude``), free slots first, the
    longest waiting first, each with whether a bulk pin of it waits; and, when fewer are free,
    when the next account's slot comes. On PostgreSQL the queryset is compiled once per limit
    and number excluded (``statements``): the dispatcher looks after every publish. The list
    excluded is padded to a power of two with -1 (no account's id), so its lengths make few
    compiled shapes however many accounts are held back."""
    excluded = sorted(exclude)
    if excluded:
        excluded += [-1] * ((1 << (len(excluded) - 1).bit_length()) - len(excluded))
    if combined.enabled():
        queryset = _look(key=(limit,), now=now, exclude=excluded)
    else:
        queryset = _look_queryset(key=(limit,), now=now, exclude=excluded)
    rows = list(queryset)
    ready = [Ready(row, bool(getattr(row, "batch_waiting", True))) for row in rows if _free(row, now)]
    later = [getattr(row, "free_at", None) for row in rows if not _free(row, now)]
    return Look(ready=ready, next_slot=later[0] if later else None)


def _look_queryset(*, key: tuple, now: datetime, exclude: Iterable[int]) -> QuerySet[PinterestConnection]:
    (limit,) = key
    # An account that cannot publish is served at once too: its bulk pins only fail their items.
    at_once = Q(is_active=False) | Q(spam_blocked_until__gt=now)
    return (
        _with_work(now)
        .exclude(pk__in=list(exclude))
        .annotate(
            free_at=Case(When(at_once, then=Value(None)), default=F("next_publish_at")),
            batch_waiting=ExpressionWrapper(Q(pk__in=_batch_waiting_accounts()), output_field=BooleanField()),
        )
        .order_by(F("free_at").asc(nulls_first=True), "pk")[:limit]
    )


_look = Precompiled(_look_queryset, datetimes=("now",), int_lists=("exclude",))


def _with_work(now: datetime) -> QuerySet[PinterestConnection]:
    due = pins_due(now=now).values("project__pinterest_connection_id")
    return PinterestConnection.objects.filter(Q(pk__in=due) | Q(pk__in=_batch_waiting_accounts()))


def _batch_waiting_accounts() -> QuerySet:
    return batch_items_waiting().values("pin__project__pinterest_connection_id")


def _free(row: PinterestConnection, now: datetime) -> bool:
    free_at = getattr(row, "free_at", None)
    return free_at is None or free_at <= now
