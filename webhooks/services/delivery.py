"""Sending the outbox: claim due deliveries, POST each signed, record every attempt.

At least once, not in order: a delivery is claimed (its ``next_attempt_at`` pushed to the
end of a lease, under a claim token) before it is sent, and settled after; a worker that
dies in between leaves it due again once the lease ends, so an endpoint may see an event
twice (the ``Pinpublisher-Event-Id`` header lets it tell). Deliveries of one endpoint may
arrive in any order: several workers send at once and a failed one is retried later.

A non-2xx answer, a redirect, a timeout or a refused address is a failed attempt: the
delivery is retried after an exponential backoff with jitter
(``WEBHOOKS_BACKOFF_BASE_SECONDS`` doubled per attempt, up to ``WEBHOOKS_BACKOFF_MAX_SECONDS``,
times 0.5-1.0) until ``give_up_at`` (``WEBHOOKS_RETRY_HOURS`` after the event), then
``failed``. An endpoint whose attempts have all failed for ``WEBHOOKS_DISABLE_AFTER_HOURS``
is disabled and its tenant's owners are emailed; any 2xx clears its failing streak.

The HTTP calls run outside any transaction; the claim and the results are short transactions.
"""

import functools
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from webhooks import sender
from webhooks.conf import webhooks_settings
from webhooks.errors import EndpointDisabled
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint
from webhooks.queue import enqueue_deliver, enqueue_deliver_due
from webhooks.selectors import signing_secrets
from webhooks.services.notifications import endpoint_disabled_notify_owners
from webhooks.signals import attempts_recorded
from webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

#: A delivery named by the task enqueued on commit is taken even if the writer's clock ran
#: this far ahead of the worker's (another host).
CLOCK_SKEW = timedelta(seconds=5)


@dataclass
class SendReport:
    claimed: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0
    disabled_endpoints: list[int] = field(default_factory=list)

    def add(self, other: "SendReport") -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed_attempts += other.failed_attempts
        self.given_up += other.given_up
        self.disabled_endpoints += other.disabled_endpoints

    def as_dict(self) -> dict:
        return {
            "claimed": self.claimed, "delivered": self.delivered, "failed_attempts": self.failed_attempts,
            "given_up": self.given_up, "disabled_endpoints": self.disabled_endpoints,
        }


@dataclass(frozen=True)
class _Sent:
    delivery: Delivery
    started_at: datetime
    finished_at: datetime
    #: None: not sent, because its endpoint had just failed in the same batch.
    answer: sender.Answer | None


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: exponential, capped, with jitter
    (between half and all of it) so endpoints that failed together do not retry together."""
    base = float(webhooks_settings.WEBHOOKS_BACKOFF_BASE_SECONDS)
    ceiling = float(webhooks_settings.WEBHOOKS_BACKOFF_MAX_SECONDS)
    delay = min(ceiling, base * 2 ** min(max(attempts - 1, 0), 30))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes POSTed and signed (the same for every attempt of an event)."""
    return json.dumps(delivery.event.payload(), separators=(",", ":"), sort_keys=True).encode()


def _claim(*, now: datetime, delivery_ids: list[int] | None) -> tuple[uuid.UUID, list[Delivery]]:
    """Take up to WEBHOOKS_CLAIM_BATCH due deliveries of active endpoints for this worker."""
    token = uuid.uuid4()
    lease_ends = now + timedelta(seconds=webhooks_settings.claim_lease_seconds)
    due_by = now + CLOCK_SKEW if delivery_ids is not None else now
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=due_by,
                                  endpoint__is_active=True)
    if delivery_ids is not None:
        due = due.filter(pk__in=delivery_ids)
    with transaction.atomic():
        candidates = due.order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            # Concurrent workers each take different rows, without waiting on each other.
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[: webhooks_settings.WEBHOOKS_CLAIM_BATCH])
        if ids:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=due_by).update(
                lease=token, next_attempt_at=lease_ends
            )
    if not ids:
        return token, []
    return token, list(Delivery.objects.filter(lease=token).select_related("event", "endpoint").order_by("pk"))


def _send(deliveries: list[Delivery], *, clock: Callable[[], datetime]) -> list[_Sent]:
    """POST each delivery in turn. Once an endpoint fails, the rest of its deliveries in this
    batch are not sent: a slow or broken endpoint costs a batch one timeout, not one per
    delivery, and does not hold up the other endpoints' deliveries behind it."""
    secrets = signing_secrets(endpoint_ids={d.endpoint_id for d in deliveries}, now=clock())
    sent = []
    failed: set[int] = set()
    for delivery in deliveries:
        if delivery.endpoint_id in failed:
            sent.append(_Sent(delivery=delivery, started_at=clock(), finished_at=clock(), answer=None))
            continue
        body = body_of(delivery)
        headers = {
            SIGNATURE_HEADER: signature_header(
                secrets=secrets.get(delivery.endpoint_id, []), body=body, timestamp=int(time.time())
            ),
            EVENT_ID_HEADER: str(delivery.event_id),
            "Pinpublisher-Event-Type": delivery.event.type,
            "Pinpublisher-Delivery-Id": str(delivery.pk),
        }
        started_at = clock()
        answer = sender.post(url=delivery.endpoint.url, body=body, headers=headers)
        sent.append(_Sent(delivery=delivery, started_at=started_at, finished_at=clock(), answer=answer))
        if not answer.success:
            failed.add(delivery.endpoint_id)
    return sent


def _failure_text(answer: sender.Answer) -> str:
    return answer.error or f"HTTP {answer.status_code}"


def _record(*, token: uuid.UUID, sent: list[_Sent], now: datetime) -> SendReport:
    """Settle what was sent, in one transaction; a delivery whose claim was taken away (a
    redelivery meanwhile) keeps its new state, but its attempt is logged all the same.
    A delivery not sent (its endpoint had just failed) is due again with that failure's retry."""
    report = SendReport(claimed=len(sent))
    attempted = [s for s in sent if s.answer is not None]
    ok_endpoints = {s.delivery.endpoint_id for s in attempted if s.answer and s.answer.success}
    failing_endpoints = {s.delivery.endpoint_id for s in attempted if s.answer and not s.answer.success} - ok_endpoints
    retry_of_endpoint: dict[int, datetime] = {}
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                delivery_id=s.delivery.pk, started_at=s.started_at, duration_ms=s.answer.duration_ms,
                status_code=s.answer.status_code, response_body=s.answer.body, error=s.answer.error,
                success=s.answer.success,
            )
            for s in attempted if s.answer is not None
        )
        delivered = [s.delivery.pk for s in attempted if s.answer and s.answer.success]
        if delivered:
            report.delivered = Delivery.objects.filter(pk__in=delivered, lease=token).update(
                status=DeliveryStatus.DELIVERED, delivered_at=now, last_attempt_at=now, next_attempt_at=None,
                lease=None, attempts=F("attempts") + 1,
            )
        for s in attempted:
            if s.answer is None or s.answer.success:
                continue
            report.failed_attempts += 1
            delivery = s.delivery
            values: dict[str, Any]
            wait = backoff(delivery.attempts + 1)
            retry_at = min(s.finished_at + wait, delivery.give_up_at)
            retry_of_endpoint.setdefault(delivery.endpoint_id, s.finished_at + wait)
            if s.finished_at >= delivery.give_up_at:
                values = {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
                report.given_up += 1
            else:
                values = {"next_attempt_at": retry_at}
            Delivery.objects.filter(pk=delivery.pk, lease=token).update(
                **values, lease=None, last_attempt_at=s.finished_at, attempts=F("attempts") + 1
            )
            logger.info("Webhook delivery %s to endpoint %s failed (attempt %s): %s", delivery.pk,
                        delivery.endpoint_id, delivery.attempts + 1, _failure_text(s.answer))
        for s in sent:
            if s.answer is None:
                Delivery.objects.filter(pk=s.delivery.pk, lease=token).update(
                    lease=None, next_attempt_at=retry_of_endpoint.get(s.delivery.endpoint_id, now)
                )
        if ok_endpoints:
            Endpoint.objects.filter(pk__in=ok_endpoints, failing_since__isnull=False).update(failing_since=None)
        if failing_endpoints:
            Endpoint.objects.filter(pk__in=failing_endpoints, failing_since__isnull=True).update(failing_since=now)
            report.disabled_endpoints = _disable_failing(endpoint_ids=failing_endpoints, now=now)
    if attempted:
        attempts_recorded.send(sender=Delivery, ok=len(attempted) - report.failed_attempts,
                               failed=report.failed_attempts, given_up=report.given_up)
    return report


def _disable_failing(*, endpoint_ids: set[int], now: datetime) -> list[int]:
    """Disable the endpoints that have failed for WEBHOOKS_DISABLE_AFTER_HOURS; their owners
    are emailed once this commits. Returns their ids."""
    cutoff = now - timedelta(hours=float(webhooks_settings.WEBHOOKS_DISABLE_AFTER_HOURS))
    disabled = []
    for endpoint in Endpoint.objects.filter(pk__in=endpoint_ids, is_active=True, failing_since__lte=cutoff):
        hours = (now - endpoint.failing_since).total_seconds() / 3600 if endpoint.failing_since else 0
        reason = f"Every delivery failed for {hours:.0f} hours (since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC)."
        if Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason, updated_at=now
        ):
            disabled.append(endpoint.pk)
            logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
            transaction.on_commit(functools.partial(endpoint_disabled_notify_owners, endpoint_id=endpoint.pk))
    return disabled


def deliveries_send(*, delivery_ids: list[int] | None = None, now: datetime | None = None) -> SendReport:
    """One claim: send up to WEBHOOKS_CLAIM_BATCH due deliveries (of ``delivery_ids`` only,
    when given) and record how each went. ``now`` fixes the clock (tests)."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    token, deliveries = _claim(now=clock(), delivery_ids=delivery_ids)
    if not deliveries:
        return SendReport()
    sent = _send(deliveries, clock=clock)
    return _record(token=token, sent=sent, now=clock())


def deliveries_send_due(*, now: datetime | None = None, budget_seconds: float | None = None,
                        first: list[int] | None = None) -> SendReport:
    """Send ``first`` (deliveries a commit just wrote), then claim and send whatever is due
    until nothing is or the budget (WEBHOOKS_TASK_BUDGET_SECONDS) is spent.

    During a burst the first tasks send everything in batches and the tasks after them find
    their deliveries already sent (one cheap claim). A claim smaller than a full batch means
    nothing more was due: what commits later has its own task, and the minute schedule
    catches anything else.
    """
    budget = webhooks_settings.WEBHOOKS_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = SendReport()
    if first:
        report.add(deliveries_send(delivery_ids=first, now=now))
    while time.monotonic() < deadline:
        batch = deliveries_send(now=now)
        report.add(batch)
        if batch.claimed < webhooks_settings.WEBHOOKS_CLAIM_BATCH:
            break
    return report


def deliveries_send_pending_soon() -> None:
    """Once the current transaction commits, have a worker send whatever is due."""
    transaction.on_commit(enqueue_deliver_due)


def delivery_redeliver(*, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Send the delivery again (whatever its state), with a fresh retry window.

    A send in flight keeps its attempt in the log but no longer settles the delivery.
    Raises EndpointDisabled when the endpoint is disabled (enable it first).
    """
    now = now or timezone.now()
    if not Endpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
        raise EndpointDisabled("The endpoint is disabled: enable it, then redeliver.")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, give_up_at=now + webhooks_settings.retry_for,
        lease=None, delivered_at=None,
    )
    transaction.on_commit(lambda: enqueue_deliver(delivery_ids=[delivery.pk]))
    delivery.refresh_from_db()
    return delivery
