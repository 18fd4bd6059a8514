"""The audit trail: one PublishAttempt row per call to Pinterest for a pin.

A create's row is committed before the call goes out, so recovery reads "a create row
exists" as "it may have reached Pinterest".
"""

from uuid import UUID

from django.utils import timezone

from pinterest.errors import PinterestError
from publishing.models import Pin, PublishAttempt

Kind = PublishAttempt.Kind
Outcome = PublishAttempt.Outcome

# Outcomes after which Pinterest may hold the pin; the others (400, 401, 429, unreachable) made nothing.
MAY_HAVE_CREATED = (Outcome.PENDING, Outcome.UNKNOWN, Outcome.SUCCESS)


def attempt_start(*, pin: Pin, trigger: str, kind: str = Kind.CREATE) -> PublishAttempt:
    return PublishAttempt.objects.create(pin=pin, trigger=trigger, kind=kind, started_at=timezone.now())


def attempt_end(
    attempt: PublishAttempt, *, outcome: str, exc: PinterestError | None = None, request_id: str = "",
    pinterest_pin_id: str = "", error: str = "", http_status: int | None = None,
) -> None:
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
    attempt.save(
        update_fields=["finished_at", "outcome", "http_status", "pinterest_request_id", "pinterest_pin_id", "error"]
    )


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
