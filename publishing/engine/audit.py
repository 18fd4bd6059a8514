"""The audit trail: one PublishAttempt row per call to Pinterest for a pin.

A create's row is committed before the call goes out, so recovery reads "a create row
exists" as "it may have reached Pinterest".
"""

from datetime import timedelta
from uuid import UUID

from django.utils import timezone

from pinterest.errors import PinterestError
from pinterest.services.pacing import connection_defer_publishing
from publishing.engine import combined
from publishing.models import Pin, PublishAttempt

Kind = PublishAttempt.Kind
Outcome = PublishAttempt.Outcome

# Outcomes after which Pinterest may hold the pin; the others (400, 401, 429, unreachable) made nothing.
MAY_HAVE_CREATED = (Outcome.PENDING, Outcome.UNKNOWN, Outcome.SUCCESS)


def attempt_start(*, pin: Pin, trigger: str, kind: str = Kind.CREATE) -> PublishAttempt:
    return PublishAttempt.objects.create(pin=pin, trigger=trigger, kind=kind, started_at=timezone.now())


def attempt_start_leaving(*, pin: Pin, trigger: str, connection_id: int, interval: float) -> PublishAttempt:
    """A create's row, with the account's next slot moved to ``interval`` after its start
    (``connection_defer_publishing``): the next create keeps the interval from when this one
    actually leaves. One statement on PostgreSQL (``combined``)."""
    if interval <= 0:
        return attempt_start(pin=pin, trigger=trigger)
    if combined.enabled():
        started_at = timezone.now()
        return combined.attempt_start_deferring(
            pin=pin, trigger=trigger, kind=Kind.CREATE, started_at=started_at, connection_id=connection_id,
            until=started_at + timedelta(seconds=interval),
        )
    attempt = attempt_start(pin=pin, trigger=trigger)
    connection_defer_publishing(connection_id=connection_id, until=attempt.started_at + timedelta(seconds=interval))
    return attempt


#: What ``attempt_end`` writes.
ENDED_FIELDS = ["finished_at", "outcome", "http_status", "pinterest_request_id", "pinterest_pin_id", "error"]


def attempt_end(
    attempt: PublishAttempt, *, outcome: str, exc: PinterestError | None = None, request_id: str = "",
    pinterest_pin_id: str = "", error: str = "", http_status: int | None = None, save: bool = True,
) -> None:
    """End the attempt's row; ``save=False``: only on the object, for the decision to write
    (``outcome.finish(ended=...)``)."""
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.http_status = http_status
    if exc is not None:
        attempt.http_status = exc.status_code
        attempt.pinterest_request_id = exc.request_id
        attempt.error = error or str(exc)
    else:
        attempt.pinterest_request_id = request_id
        attempt.error = error
    attempt.pinterest_pin_id = pinterest_pin_id
    if save:
        attempt.save(update_fields=ENDED_FIELDS)


def create_maybe_sent(pin: Pin) -> PublishAttempt | None:
    """The first create of the pin's current claim that may have made a pin on Pinterest, else None."""
    since = pin.claimed_at or pin.publishing_started_at
    return (
        PublishAttempt.objects.filter(
            pin_id=pin.pk, kind=Kind.CREATE, started_at__gte=since, outcome__in=MAY_HAVE_CREATED
        )
        .order_by("started_at", "id")
        .first()
    )


def pinterest_ids_confirmed_elsewhere(*, pin_id: UUID | str, pinterest_pin_ids: list[str]) -> set[str]:
    """Which of ``pinterest_pin_ids`` Pinterest answered 201 for, for another pin of ours."""
    return set(
        PublishAttempt.objects.filter(pinterest_pin_id__in=pinterest_pin_ids, outcome=Outcome.SUCCESS)
        .exclude(pin_id=pin_id)
        .values_list("pinterest_pin_id", flat=True)
    )
