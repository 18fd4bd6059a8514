"""Publishing many pins in the background: a batch, one task per connection, results on items.

django-q2's ORM broker delivers at least once: a group run twice skips pins whose item
already has a result, and the claim refuses a pin someone else holds. When a pin's
publish ends, every pending item of that pin records it (``outcome.tell_batches``), so a
batch never waits on a pin another request is publishing.
"""

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable
from pinterest.services.pacing import publish_interval
from publishing.conf import publishing_settings
from publishing.engine import lease, outcome, queue
from publishing.engine.context import context_for
from publishing.engine.create import pin_validate_for_publish, publish_claimed, refusal
from publishing.engine.results import PinValidationError
from publishing.models import Pin, PinStatus, PublishBatch, PublishBatchItem, PublishTrigger, Tenant
from publishing.rules import connection_problem
from publishing.selectors import pins_with_relations


def pins_publish_bulk(
    *, tenant: Tenant, pin_ids: Iterable[UUID | str], trigger: str = PublishTrigger.BULK, user: User | None = None
) -> PublishBatch:
    """Create a batch of the tenant's pins and publish it in the background.

    ``pin_ids`` must all be the tenant's pins (the caller checks and reports; here a
    foreign id raises Pin.DoesNotExist and nothing is created). One django-q2 task per
    Pinterest connection, enqueued after commit; each is paced on its connection.
    """
    unique_ids = list(dict.fromkeys(pin_ids))
    pins = list(
        Pin.objects.filter(pk__in=unique_ids, project__tenant=tenant).values_list(
            "pk", "project__pinterest_connection_id"
        )
    )
    if len(pins) != len(unique_ids):
        raise Pin.DoesNotExist("Some pins are not this tenant's")
    groups: dict = {}
    for pk, connection_id in pins:
        groups.setdefault(connection_id, []).append(pk)
    with transaction.atomic():
        batch = PublishBatch.objects.create(tenant=tenant, created_by=user, trigger=trigger, total=len(pins))
        PublishBatchItem.objects.bulk_create(PublishBatchItem(batch=batch, pin_id=pk) for pk in unique_ids)
        for group in groups.values():
            transaction.on_commit(partial(queue.enqueue_publish_batch_group, batch_id=batch.pk, pin_ids=group))
    return batch


def _settle_unclaimable(*, batch_id: UUID, pin_id: UUID | str) -> None:
    """The claim was lost: the pin's stored state answers for this batch's item."""
    why = refusal(pin_id)
    if why.status == PinStatus.PUBLISHED:
        outcome.tell_batches(batch_id=batch_id, pin_id=pin_id, success=True, error="")
    elif why.status != PinStatus.PUBLISHING:
        outcome.tell_batches(batch_id=batch_id, pin_id=pin_id, success=False, error=str(why))
    # PUBLISHING: whoever holds the pin records the result on this item too.


def publish_batch_group(
    *, batch_id: UUID | str, pin_ids: Iterable[UUID | str], sleep: Callable[[float], None] = time.sleep,
    budget_seconds: float | None = None,
) -> list[str]:
    """Publish one connection's share of a batch, in order, paced.

    Stops before its task could time out (``PUBLISH_SWEEP_BUDGET_SECONDS``, at the pacing
    rate) and returns the pin ids it did not reach, for a continuation task.
    """
    if budget_seconds is None:
        budget_seconds = publishing_settings.PUBLISH_SWEEP_BUDGET_SECONDS
    deadline = time.monotonic() + budget_seconds
    batch = PublishBatch.objects.get(pk=batch_id)
    ids = [UUID(str(pin_id)) for pin_id in pin_ids]
    pending = set(
        PublishBatchItem.objects.filter(batch=batch, pin_id__in=ids, success__isnull=True).values_list(
            "pin_id", flat=True
        )
    )
    pins = {pin.pk: pin for pin in pins_with_relations().filter(pk__in=pending)}
    contexts: dict = {}
    interval = publish_interval()
    for index, pin_id in enumerate(ids):
        pin = pins.get(pin_id)
        if pin is None:
            continue
        if index and time.monotonic() + interval > deadline:
            return [str(rest) for rest in ids[index:]]
        try:
            pin_validate_for_publish(pin=pin)
        except PinValidationError as exc:
            outcome.tell_batches(batch_id=batch.pk, pin_id=pin.pk, success=False, error=str(exc))
            continue
        if not lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now()):
            _settle_unclaimable(batch_id=batch.pk, pin_id=pin.pk)
            continue
        # Publish what was claimed: the pin may have been edited since this task started.
        pin = pins_with_relations().get(pk=pin.pk)
        account = pin.project.pinterest_connection
        if account is not None and account.is_spam_blocked():
            # Blocked for spam (by this batch's previous pin, or anyone): the rest waits untouched.
            result = outcome.release(pin=pin, note=connection_problem(account) or "")
            outcome.tell_batches(batch_id=batch.pk, pin_id=pin.pk, success=False, error=result.error)
            continue
        try:
            connection = pin_validate_for_publish(pin=pin)
        except PinValidationError as exc:
            outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
            continue
        if connection.pk not in contexts:
            try:
                contexts[connection.pk] = context_for(connection)
            except ConnectionUnusable as exc:
                contexts[connection.pk] = exc
        context = contexts[connection.pk]
        if isinstance(context, ConnectionRefreshFailing):
            # Passing trouble at Pinterest: the pin goes back untouched; the item says why.
            outcome.release(pin=pin, note=str(context))
            outcome.tell_batches(batch_id=batch.pk, pin_id=pin.pk, success=False, error=str(context))
            continue
        if isinstance(context, ConnectionUnusable):
            outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(context))
            continue
        context.sleep = sleep
        result = publish_claimed(pin=pin, trigger=batch.trigger, context=context)
        if result.status in (PinStatus.READY_TO_SCHEDULE, PinStatus.DRAFT):
            # Put back (a spam block): not published by this batch, and the item says why.
            outcome.tell_batches(batch_id=batch.pk, pin_id=pin.pk, success=False, error=result.error)
    return []


def batches_resume_stalled(*, now: datetime, stalled_after: timedelta | None = None) -> int:
    """Finish or restart batch items nobody is working on (a task died, the queue was lost).

    An item is stalled when its batch is older than ``stalled_after`` (default: a minute past
    django-q2's retry) and no item of the batch finished within it. Its pin's own state settles
    it: published or error is recorded as such; a pin still ``publishing`` is left to its
    lease; any other pin is handed to a new batch task (safe: claims are compare-and-set).
    Returns how many pins were re-enqueued.
    """
    if stalled_after is None:
        stalled_after = timedelta(seconds=publishing_settings.task_retry_seconds + 60)
    cutoff = now - stalled_after
    stalled = (
        PublishBatchItem.objects.filter(
            success__isnull=True, batch__finished_at__isnull=True, batch__created_at__lt=cutoff
        )
        .exclude(batch__items__finished_at__gte=cutoff)
        .select_related("pin__project")
        .order_by("batch_id", "id")
    )
    groups: dict = {}
    for item in stalled.iterator(chunk_size=500):
        pin = item.pin
        if pin.status == PinStatus.PUBLISHED:
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=True, error="")
        elif pin.status == PinStatus.ERROR:
            outcome.tell_batches(batch_id=item.batch_id, pin_id=pin.pk, success=False, error=pin.error_message)
        elif pin.status != PinStatus.PUBLISHING:
            groups.setdefault((item.batch_id, pin.project.pinterest_connection_id), []).append(pin.pk)
    for (batch_id, _connection_id), pin_ids in groups.items():
        queue.enqueue_publish_batch_group(batch_id=batch_id, pin_ids=pin_ids)
    return sum(len(pin_ids) for pin_ids in groups.values())


def batch_summary(*, batch: PublishBatch) -> dict:
    items = list(batch.items.order_by("id").values("pin_id", "success", "error"))
    published = sum(1 for item in items if item["success"] is True)
    failed = sum(1 for item in items if item["success"] is False)
    return {
        "id": str(batch.pk),
        "total": len(items),
        "published": published,
        "failed": failed,
        "pending": len(items) - published - failed,
        "finished_at": batch.finished_at,
        "results": [
            {"id": str(item["pin_id"]), "success": item["success"], "error": item["error"] or None}
            for item in items
        ],
    }
