"""Approvals (issue 29): an owner approves a pin in review (the asked action happens, through the
usual rules) or sends it back; an editor's publish, now or in bulk, waits in review instead.

This sits above the services and the engine because it uses both: an approved schedule or queue
is ``pin_schedule`` / ``pin_add_to_queue`` (services), an approved publish is ``pin_publish`` (the
engine), which never import each other. The schedule and queue gates themselves live in those
services (every way in reaches them); the publish gates live here, and every interface that
publishes for a person (the API, the planner, the admin) calls these instead of the engine.

An approval that the usual rules refuse (the asked time is now in the past, the board was
removed, the queue has no slot, the account is blocked) changes nothing: the pin stays in review
with what was asked, and the owner reads the same message an owner doing it directly would (the
same ValidationError or refusal), so they can fix the pin, or send it back with a comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from publishing import acting, engine
from publishing.engine import PinNotPublishable, PinValidationError, PublishResult
from publishing.models import Pin, PublishBatch, PublishTrigger, ReviewAction, Tenant
from publishing.rules.approval import review_required
from publishing.selectors import pins_with_relations
from publishing.services import content
from publishing.services.content import review
from publishing.services.queue_slots import pin_add_to_queue

__all__ = ["pin_approve", "pin_publish_now", "pin_reject", "pins_publish_many"]


def pin_approve(*, pin: Pin, now: datetime | None = None) -> tuple[Pin, PublishResult | None]:
    """Approve ``pin`` (in review) as the person acting: do what was asked and record the approval.

    Returns the pin as it is afterwards and, for a publish, the engine's result (a batch of one when
    the account's slot is further off than publish-now waits). Raises ReviewForbidden (not an
    owner), PinNotInReview, ValidationError / PinValidationError (the usual rules refused; the pin
    stays in review), PinNotPublishable or Pin.DoesNotExist.
    """
    by = acting.person()
    review.pin_review_check(pin=pin, by=by)
    now = now or timezone.now()
    action = pin.review_action
    if action == ReviewAction.PUBLISH:
        engine.pin_validate_for_publish(pin=pin)
        review.pin_review_release(pin=pin, by=by, now=now)
        try:
            result = engine.pin_publish(pin_id=pin.pk, trigger=PublishTrigger.MANUAL, user=by)
        except (PinValidationError, PinNotPublishable):
            review.pin_review_restore(pin=pin, asked=pin)
            raise
        return Pin.objects.get(pk=pin.pk), result
    with transaction.atomic():
        if action == ReviewAction.QUEUE:
            done = pin_add_to_queue(pin=pin, now=now)
        elif pin.scheduled_at is not None:
            done = content.pin_schedule(pin=pin, scheduled_at=pin.scheduled_at, now=now)
        else:
            raise ValidationError({"scheduled_at": ["The pin asks no time; send it back to ask one."]})
        return review.pin_review_approved(pin=done, action=action or ReviewAction.SCHEDULE, by=by, now=now), None


def pin_reject(*, pin: Pin, comment: str, now: datetime | None = None) -> Pin:
    """Send ``pin`` (in review) back to draft with ``comment``, as the person acting
    (``review.pin_review_reject``)."""
    return review.pin_review_reject(pin=pin, by=acting.person(), comment=comment, now=now)


def pin_publish_now(*, pin: Pin, trigger: str = PublishTrigger.MANUAL) -> PublishResult | Pin:
    """Publish ``pin`` now for the person acting (``engine.pin_publish``), or, when their publish
    needs approval, put it in review with "publish" asked and return the pin (in review).
    Raises what either raises."""
    person = acting.person()
    if review_required(person=person, project=pin.project):
        (asked,) = review.pins_review_request(pins=[pin], action=ReviewAction.PUBLISH, by=person)
        return asked
    return engine.pin_publish(pin_id=pin.pk, trigger=trigger, user=person)


def pins_publish_many(
    *, tenant: Tenant, pin_ids: Iterable[UUID | str], trigger: str = PublishTrigger.BULK
) -> tuple[PublishBatch | None, list[Pin]]:
    """Publish the tenant's pins in the background (``engine.pins_publish_bulk``) for the person
    acting; the pins whose publish needs their approval go to review instead, with "publish" asked.

    Returns the batch (None when every pin went to review) and the pins now in review. A pin the
    review refuses (no board, no image, being published) joins the batch, which fails or settles
    its item with the same rule's message, so every refusal is reported in one place.
    """
    person = acting.person()
    unique_ids = list(dict.fromkeys(pin_ids))
    asked: list[Pin] = []
    if person is not None:
        for pin in pins_with_relations().filter(pk__in=unique_ids, project__tenant=tenant):
            if not review_required(person=person, project=pin.project):
                continue
            try:
                asked += review.pins_review_request(pins=[pin], action=ReviewAction.PUBLISH, by=person)
            except (ValidationError, content.ContentConflict, Pin.DoesNotExist):
                continue
    held = {pin.pk for pin in asked}
    rest = [pk for pk in unique_ids if _uuid(pk) not in held]
    batch = engine.pins_publish_bulk(tenant=tenant, pin_ids=rest, trigger=trigger, user=person) if rest else None
    return batch, asked


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
