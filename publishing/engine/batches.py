"""Publishing many pins in the background: a batch, its items, and serving them to the dispatchers.

A bulk request creates a batch with one item per pin; pins that break a rule fail their item
at once (nothing is sent). The rest wait as pending items, and the dispatchers of the runners
(and of the sweep) publish them at each account's pace, next to due pins, with no task per
connection sleeping through pacing: in an account's slot, ``batch_pin_claim`` claims its
oldest waiting pin (settling on the way, without a call, the items whose pin breaks a rule or
is held elsewhere) and the dispatcher makes the one call; an account that cannot publish fails
its waiting items with the reason (``batch_items_fail``). When a pin's publish ends, every
pending item of that pin records it (``outcome.tell_batches``), so a batch never waits on a
pin another request is publishing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import record as audit_trail
from pinterest.models import PinterestConnection
from publishing.conf import publishing_settings
from publishing.engine import lease, outcome, queue
from publishing.engine.results import MSG_NO_CONNECTION, refusal
from publishing.models import Pin, PinStatus, PublishBatch, PublishBatchItem, PublishTrigger, Tenant
from publishing.rules import connection_problem, publish_problem
from publishing.selectors import batch_item_outcome, batch_items_waiting, batch_outcome_counts, pins_with_relations

#: Bulk items settled without a call (a rule broken, held elsewhere) in one slot, at most.
SETTLE_PER_SLOT = 20


def pins_publish_bulk(
    *, tenant: Tenant, pin_ids: Iterable[UUID | str], trigger: str = PublishTrigger.BULK, user: User | None = None
) -> PublishBatch:
    """Create a batch of the tenant's pins and publish it in the background.

    ``pin_ids`` must all be the tenant's pins (the caller checks and reports; here a foreign id
    raises Pin.DoesNotExist and nothing is created). A pin that breaks a publishing rule fails
    its item now, with the rule's message; the others are published by the runners, which are
    started after commit.
    """
    unique_ids = list(dict.fromkeys(pin_ids))
    pins = list(pins_with_relations().filter(pk__in=unique_ids, project__tenant=tenant))
    if len(pins) != len(unique_ids):
        raise Pin.DoesNotExist("Some pins are not this tenant's")
    with transaction.atomic():
        batch = PublishBatch.objects.create(tenant=tenant, created_by=user, trigger=trigger, total=len(pins))
        PublishBatchItem.objects.bulk_create(PublishBatchItem(batch=batch, pin_id=pk) for pk in unique_ids)
        # A person's (or key's) request, once per batch: the engine's own moves are attempts, not events.
        audit_trail.record_each("pin.publish_requested", pins, tenant_id=tenant.pk,
                                changes={"publish_batch": [None, str(batch.pk)]})
        waiting = 0
        for pin in pins:
            problem = publish_problem(pin)
            if problem:
                outcome.tell_batches(batch_id=batch.pk, pin_id=pin.pk, success=False, error=problem[1])
            elif pin.status in Pin.PUBLISHABLE_STATUSES or settle_unclaimable(batch_id=batch.pk, pin_id=pin.pk):
                waiting += 1
        if waiting:
            transaction.on_commit(queue.enqueue_publish_on_time)
    return batch


def settle_unclaimable(*, batch_id: UUID, pin_id: UUID | str) -> bool:
    """The pin could not be claimed for this batch: its stored state, read again, answers for the
    item (a pin already on Pinterest is skipped: nothing is sent, and the batch counts it as
    skipped). Returns True when the item is left waiting for a dispatcher: the pin is back on the
    schedule or a draft (whoever held it gave it back untouched, a publish-now after a long 429,
    between the lost claim and this read), so it still publishes, on a next turn."""
    why = refusal(pin_id)
    if why.status in (PinStatus.READY_TO_SCHEDULE, PinStatus.DRAFT):
        return True
    if why.status == PinStatus.PUBLISHED:
        outcome.tell_batches(batch_id=batch_id, pin_id=pin_id, success=True, error="", skipped=True)
    elif why.status != PinStatus.PUBLISHING:
        outcome.tell_batches(batch_id=batch_id, pin_id=pin_id, success=False, error=str(why))
    # PUBLISHING: whoever holds the pin records the result on this item too.
    return False


@dataclass(frozen=True)
class BatchClaim:
    """What an account's slot did for its bulk batches: ``pin`` claimed for ``item``'s batch (the
    dispatcher makes the one call), or, both None, ``SETTLE_PER_SLOT`` items settled without a
    call (the slot is spent)."""

    item: PublishBatchItem | None = None
    pin: Pin | None = None


def batch_pin_claim(*, connection_id: int) -> BatchClaim | None:
    """Claim the account's oldest waiting bulk pin for its batch; None when it has none. Items
    whose pin breaks a rule or cannot be claimed are settled on the way, without a call."""
    waiting = batch_items_waiting().filter(pin__project__pinterest_connection_id=connection_id)
    for _ in range(SETTLE_PER_SLOT):
        item = waiting.select_related("batch").order_by("batch__created_at", "id").first()
        if item is None:
            return None
        pin = pins_with_relations().get(pk=item.pin_id)
        problem = publish_problem(pin)
        if problem:
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=False, error=problem[1])
            continue
        if not lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now()):
            settle_unclaimable(batch_id=item.batch_id, pin_id=pin.pk)
            continue
        # Publish what was claimed: the pin may have been edited since the batch was made.
        return BatchClaim(item=item, pin=pins_with_relations().get(pk=pin.pk))
    return BatchClaim()


def batch_items_fail(*, connection_id: int, error: str) -> None:
    """The account cannot publish now: its bulk batches' waiting pins fail their items with the
    reason (the pins themselves are untouched; a person asked for now, and is told)."""
    waiting = batch_items_waiting().filter(pin__project__pinterest_connection_id=connection_id)
    for batch_id, pin_id in waiting.values_list("batch_id", "pin_id"):
        outcome.tell_batches(batch_id=batch_id, pin_id=pin_id, success=False, error=error)


def batches_resume_stalled(*, now: datetime, stalled_after: timedelta | None = None) -> int:
    """Settle batch items no dispatcher can publish, so no batch stays pending forever.

    An item is stalled when its batch is older than ``stalled_after`` (default: a minute past
    django-q2's retry) and no item of the batch finished within it. Its pin's own state settles
    it: published is recorded as such, and so is an error decided by a publish that began after
    the batch was made; a pin still ``publishing`` is left to its lease; a pin whose project lost
    its account, or whose account cannot publish (inactive, spam blocked), fails the item with
    the reason. Any other pin waits for a dispatcher, and runners are started for it: among them
    a pin that was already ``error`` when the batch was made (a person asked to publish it again,
    and its account may be waiting an hour for Pinterest's Retry-After: its old error is no answer).
    Returns how many pins wait for a dispatcher.
    """
    if stalled_after is None:
        stalled_after = timedelta(seconds=publishing_settings.task_retry_seconds + 60)
    cutoff = now - stalled_after
    stalled = (
        PublishBatchItem.objects.filter(
            success__isnull=True, batch__finished_at__isnull=True, batch__created_at__lt=cutoff
        )
        .exclude(batch__items__finished_at__gte=cutoff)
        .select_related("batch", "pin__project__pinterest_connection")
        .order_by("batch_id", "id")
    )
    waiting = 0
    for item in stalled.iterator(chunk_size=500):
        pin = item.pin
        account = pin.project.pinterest_connection
        if pin.status == PinStatus.PUBLISHED:
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=True, error="")
        elif pin.status == PinStatus.ERROR and _failed_since(pin=pin, batch_created_at=item.batch.created_at):
            # Failed since the batch was made (by another request): not re-sent behind a person's back.
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=False, error=pin.error_message)
        elif pin.status == PinStatus.PUBLISHING:
            continue
        elif account is None or connection_problem(account):
            error = (connection_problem(account) if account is not None else None) or MSG_NO_CONNECTION
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=False, error=error)
        else:
            waiting += 1
    if waiting:
        queue.enqueue_publish_on_time()
    return waiting


def _failed_since(*, pin: Pin, batch_created_at: datetime) -> bool:
    """Whether the pin's error answers a publish that began after the batch was made (every
    publish stamps ``claimed_at``), rather than being the failure a person asked to publish again."""
    return pin.claimed_at is not None and pin.claimed_at >= batch_created_at


def batch_expected_at(*, batch: PublishBatch, now: datetime | None = None) -> datetime | None:
    """When the last of the batch's pending pins is expected, if an account of theirs must wait longer
    than publish-now would (``PUBLISH_NOW_MAX_WAIT_SECONDS``: Pinterest's Retry-After, its pacing):
    that account's next slot. None when every pending pin may go at once, at its account's pace."""
    now = now or timezone.now()
    later_than = now + timedelta(seconds=publishing_settings.PUBLISH_NOW_MAX_WAIT_SECONDS)
    slots = PinterestConnection.objects.filter(
        projects__pins__batch_items__batch=batch, projects__pins__batch_items__success__isnull=True,
        next_publish_at__gt=later_than,
    )
    return slots.aggregate(at=Max("next_publish_at"))["at"]


def batch_summary(*, batch: PublishBatch) -> dict:
    """The batch's counts (as ``selectors.batch_counts``) and each pin's outcome."""
    items = list(batch.items.order_by("id").values("pin_id", "success", "skipped", "error"))
    return {
        "id": str(batch.pk),
        "total": len(items),
        **batch_outcome_counts(batch_id=batch.pk),
        "finished_at": batch.finished_at,
        "results": [
            {
                "id": str(item["pin_id"]),
                "success": item["success"],
                "outcome": batch_item_outcome(success=item["success"], skipped=item["skipped"]),
                "error": item["error"] or None,
            }
            for item in items
        ],
    }
