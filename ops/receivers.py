"""The counts of ``ops.metrics``, taken from what the apps already tell: publishing's outcome
signals, pinterest's health changes, every answer a Pinterest client receives, and each settled
round of webhook POSTs. Each receiver is quick, queries nothing, and never raises into the sender.

Outcomes and health changes are told inside the transaction that decides them, so they are
counted when it commits (``transaction.on_commit``; at once outside a transaction): a decision
rolled back is not counted, and the counters agree with the rows."""

import logging
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Model
from django.dispatch import receiver

from ops import metrics
from pinterest.models import Health, PinterestConnection
from pinterest.signals import api_answered, connection_health_changed
from publishing.engine.results import (
    MSG_IMAGE_MISSING,
    MSG_IMAGE_UNREADABLE,
    MSG_INTERRUPTED,
    MSG_MATCHED_ANOTHERS,
    MSG_NO_BOARD,
    MSG_NO_CONNECTION,
    MSG_NO_IMAGE,
    MSG_NOT_CREATED,
    MSG_NOT_SENT,
    MSG_UNEXPECTED,
    UNCHECKED,
)
from publishing.signals import pin_failed, pin_published, pin_reconciled
from webhooks.signals import attempts_recorded

logger = logging.getLogger(__name__)


def _opening(message: str) -> str:
    return message.split("{", 1)[0]


#: A failed pin's reason, from the start of the message the engine wrote (a person's words, not a
#: label): the first opening that matches names it; any other is Pinterest's own refusal.
FAILURE_REASONS: tuple[tuple[str, str], ...] = (
    (_opening(MSG_NOT_CREATED), "not_created"),
    (_opening(MSG_INTERRUPTED), "interrupted"),
    (_opening(MSG_NOT_SENT), "interrupted"),
    (_opening(MSG_IMAGE_MISSING), "media_missing"),
    (_opening(MSG_IMAGE_UNREADABLE), "media_missing"),
    (_opening(MSG_UNEXPECTED), "unexpected"),
    (_opening(MSG_MATCHED_ANOTHERS), "matched_another"),
    (UNCHECKED, "unchecked"),
    (MSG_NO_BOARD, "invalid"),
    (MSG_NO_CONNECTION, "invalid"),
    (MSG_NO_IMAGE, "invalid"),
    ("Pinterest rejected the access token", "token_rejected"),
    ("Rate limited by Pinterest", "rate_limited"),
)


def failure_reason(error: str) -> str:
    """The bounded label of a pin's failure message (``refused`` when none of ``FAILURE_REASONS``)."""
    for opening, reason in FAILURE_REASONS:
        if error.startswith(opening):
            return reason
    return "refused"


@receiver(pin_published, dispatch_uid="ops.pin_published")
def count_pin_published(
    sender: type[Model], *, published_at: datetime, scheduled_at: datetime | None = None, **kwargs: object
) -> None:
    lateness = None if scheduled_at is None else max(0.0, (published_at - scheduled_at).total_seconds())

    def count() -> None:
        metrics.PINS_PUBLISHED.inc()
        if lateness is not None:
            metrics.PIN_LATENESS.observe(lateness)

    transaction.on_commit(count)


@receiver(pin_failed, dispatch_uid="ops.pin_failed")
def count_pin_failed(sender: type[Model], *, error: str, **kwargs: object) -> None:
    transaction.on_commit(metrics.PINS_FAILED.labels(reason=failure_reason(error)).inc)


@receiver(pin_reconciled, dispatch_uid="ops.pin_reconciled")
def count_pin_reconciled(sender: type[Model], *, pin_id: UUID | str, status: str, **kwargs: object) -> None:
    transaction.on_commit(metrics.PINS_RECONCILED.labels(result=str(status)).inc)


@receiver(connection_health_changed, dispatch_uid="ops.connection_health_changed")
def count_health_change(
    sender: type[Model], *, connection: PinterestConnection, health: str, **kwargs: object
) -> None:
    transaction.on_commit(metrics.CONNECTION_HEALTH_CHANGES.labels(health=str(health)).inc)
    if health == Health.SPAM_BLOCKED:
        transaction.on_commit(metrics.SPAM_BLOCKS.inc)


@receiver(api_answered, dispatch_uid="ops.api_answered")
def count_pinterest_answer(
    sender: object, *, method: str, endpoint: str, status: int | None, seconds: float, **kwargs: object
) -> None:
    metrics.PINTEREST_ANSWERS.labels(endpoint=endpoint, method=method, status=str(status or "none")).inc()
    metrics.PINTEREST_SECONDS.labels(endpoint=endpoint, method=method).observe(seconds)


@receiver(attempts_recorded, dispatch_uid="ops.attempts_recorded")
def count_webhook_attempts(sender: object, *, ok: int, failed: int, given_up: int, **kwargs: object) -> None:
    metrics.WEBHOOK_ATTEMPTS.labels(result="ok").inc(ok)
    metrics.WEBHOOK_ATTEMPTS.labels(result="failed").inc(failed)
    metrics.WEBHOOK_GIVEN_UP.inc(given_up)
