"""The review's writes (issue 29): a pin put in review with what was asked, sent back to draft with
an owner's comment, or marked approved once the asked action is done (``publishing.approvals``
does the action: a publish is the engine's, which the services never import).

Who needs review and who may decide is ``publishing.rules.approval``'s. Every status move here is a
conditional UPDATE filtered on the statuses it leaves, never read-check-save, like the content
services': a pin a publisher or another owner moved meanwhile is refused, never overwritten. The
signals (``publishing.signals``) are sent inside the transaction of the move, so the webhooks
outbox commits with it; the owners' email goes once it is committed (``publishing.receivers``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinpublisher.errors import Conflict, DomainError
from publishing import acting, signals
from publishing.models import Pin, PinStatus, ReviewAction
from publishing.rules.approval import MSG_NOT_APPROVER, may_approve, review_required
from publishing.rules.schedule import schedule_problems
from publishing.services.content.errors import refuse_change

COMMENT_MAX = 2000
MSG_NOT_IN_REVIEW = "Pin is {status}; only a pin in review can be approved or sent back."


class ReviewForbidden(DomainError):
    """The person may not approve or send back pins of this tenant (HTTP 403)."""

    http_status = 403
    code = "role_forbids"  # one code for every refusal by role (publishing.roles)


class PinNotInReview(Conflict):
    code = "pin_not_in_review"


def _username(person: Any) -> str:
    return person.get_username() if person is not None else ""


def _ask_problems(*, pin: Pin, action: str, scheduled_at: datetime | None, now: datetime) -> dict[str, list[str]]:
    """What the ask breaks now, as the usual rules say it (the owner's approval asks again): a
    schedule's time and the pin's board and image; a queue's or publish's board and image."""
    if action == ReviewAction.SCHEDULE:
        if scheduled_at is None:
            return {"scheduled_at": ["Give the time to schedule the pin at."]}
        return schedule_problems(pin=pin, scheduled_at=scheduled_at, now=now)
    # No time asked: only the pin's own rules (a time one minute ahead is always in the window).
    problems = schedule_problems(pin=pin, scheduled_at=now + timedelta(minutes=1), now=now)
    problems.pop("scheduled_at", None)
    return problems


def pins_review_request(
    *, pins: list[Pin], action: str, by: Any, scheduled_at: datetime | None = None, now: datetime | None = None
) -> list[Pin]:
    """Put each pin in review with ``action`` asked by ``by`` (``scheduled_at`` for a schedule),
    all or none; returns them fresh. The owners are told once (one signal for the ask).

    The ask is checked by the usual rules first (a time in the past, no board, no image): the
    editor learns now, not at approval. Raises ValidationError (one pin: its fields; several:
    ``pin_ids`` listing each), PinNotEditable (publishing or published) or Pin.DoesNotExist.
    """
    now = now or timezone.now()
    problems = {pin.pk: _ask_problems(pin=pin, action=action, scheduled_at=scheduled_at, now=now) for pin in pins}
    problems = {pk: found for pk, found in problems.items() if found}
    if problems and len(pins) == 1:
        raise ValidationError(problems[pins[0].pk])
    if problems:
        raise ValidationError({"pin_ids": [
            f"Pin {pk}: " + "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in found.items())
            for pk, found in problems.items()
        ]})
    changes: dict[str, Any] = {
        "status": PinStatus.IN_REVIEW, "review_action": action, "review_requested_by": by,
        "review_requested_at": now, "review_comment": "", "error_message": "", "updated_at": now,
    }
    if action == ReviewAction.SCHEDULE:
        changes["scheduled_at"] = scheduled_at
    with transaction.atomic():
        pin_ids = [pin.pk for pin in pins]
        before = {pk: audit_trail.snapshot(pin) for pk, pin in Pin.objects.in_bulk(pin_ids).items()}
        for pin in pins:
            if not Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(**changes):
                refuse_change(pin.pk, doing="sent for review")
        signals.pins_review_requested.send(
            sender=Pin, pin_ids=pin_ids, action=action, requested_by=_username(by), requested_at=now
        )
        fresh = Pin.objects.in_bulk(pin_ids)
        for pk in pin_ids:
            audit_trail.record("pin.review_request", fresh[pk], before=before.get(pk))
    return [fresh[pk] for pk in pin_ids]


def _require_approver(*, pin: Pin, by: Any) -> None:
    if not may_approve(person=by, tenant_id=pin.project.tenant_id):
        raise ReviewForbidden(MSG_NOT_APPROVER)


def _refuse_not_in_review(pin_id: Any) -> None:
    status = Pin.objects.filter(pk=pin_id).values_list("status", flat=True).first()
    if status is None:
        raise Pin.DoesNotExist(f"Pin {pin_id} not found.")
    raise PinNotInReview(MSG_NOT_IN_REVIEW.format(status=PinStatus(status).label.lower()))


def pin_review_check(*, pin: Pin, by: Any) -> None:
    """Raise unless ``by`` may decide on ``pin`` and it is in review (ReviewForbidden, PinNotInReview)."""
    _require_approver(pin=pin, by=by)
    if pin.status != PinStatus.IN_REVIEW:
        _refuse_not_in_review(pin.pk)


def pin_review_reject(*, pin: Pin, by: Any, comment: str, now: datetime | None = None) -> Pin:
    """Send a pin in review back to draft with ``comment`` (required) for its editor; what was
    asked is forgotten, a schedule's time stays on the draft. Raises ReviewForbidden,
    ValidationError on ``comment``, PinNotInReview or Pin.DoesNotExist."""
    _require_approver(pin=pin, by=by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": ["Say what to change: the comment is shown on the pin."]})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": [f"Keep the comment to {COMMENT_MAX} characters."]})
    now = now or timezone.now()
    with transaction.atomic():
        updated = Pin.objects.filter(pk=pin.pk, status=PinStatus.IN_REVIEW).update(
            status=PinStatus.DRAFT, review_action=ReviewAction.NONE, review_comment=comment,
            reviewed_by=by, reviewed_at=now, updated_at=now,
        )
        if not updated:
            _refuse_not_in_review(pin.pk)
        signals.pin_rejected.send(
            sender=Pin, pin_id=pin.pk, comment=comment, rejected_by=_username(by), rejected_at=now
        )
        rejected = Pin.objects.get(pk=pin.pk)
        audit_trail.record("pin.reject", rejected, before=audit_trail.snapshot(pin))
    return rejected


def pin_review_approved(*, pin: Pin, action: str, by: Any, now: datetime | None = None) -> Pin:
    """Record the approval of ``action`` on a pin whose action was just done (in the caller's
    transaction), and tell: ``pin_approved``."""
    now = now or timezone.now()
    Pin.objects.filter(pk=pin.pk).update(
        review_action=ReviewAction.NONE, review_comment="", reviewed_by=by, reviewed_at=now
    )
    signals.pin_approved.send(sender=Pin, pin_id=pin.pk, action=action, approved_by=_username(by), approved_at=now)
    approved = Pin.objects.get(pk=pin.pk)
    audit_trail.record("pin.approve", approved, before=audit_trail.snapshot(pin))
    return approved


def pin_review_release(*, pin: Pin, by: Any, now: datetime | None = None) -> Pin:
    """An approved publish: the pin leaves review for draft (approved) so the engine may claim it.
    Raises PinNotInReview when it left review meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        if not Pin.objects.filter(pk=pin.pk, status=PinStatus.IN_REVIEW).update(status=PinStatus.DRAFT, updated_at=now):
            _refuse_not_in_review(pin.pk)
        return pin_review_approved(pin=pin, action=ReviewAction.PUBLISH, by=by, now=now)


def pin_review_restore(*, pin: Pin, asked: Pin) -> None:
    """Put an approved publish the engine refused before any claim back in review, as it was asked
    (``asked``: the pin as it was in review); a pin that moved on meanwhile is left alone."""
    with transaction.atomic():
        before = audit_trail.snapshot(Pin.objects.filter(pk=pin.pk).first())
        if Pin.objects.filter(pk=pin.pk, status=PinStatus.DRAFT).update(
            status=PinStatus.IN_REVIEW, review_action=asked.review_action, reviewed_by=None, reviewed_at=None,
            updated_at=timezone.now(),
        ):
            audit_trail.record("pin.review_restore", Pin.objects.get(pk=pin.pk), before=before)


def pins_review_hold_imported(*, project: Any, pin_ids: list[Any], now: datetime) -> int:
    """An import's new scheduled pins, when an editor imports into a project whose pins need
    approval: in review with their times asked, in one UPDATE (the import checked each by the
    schedule rule already), the owners told once. Returns how many; 0 when no review is needed."""
    person = acting.person()
    if not pin_ids or not review_required(person=person, project=project):
        return 0
    held = Pin.objects.filter(pk__in=pin_ids, status=PinStatus.READY_TO_SCHEDULE).update(
        status=PinStatus.IN_REVIEW, review_action=ReviewAction.SCHEDULE, review_requested_by=person,
        review_requested_at=now, updated_at=now,
    )
    audit_trail.record_each(
        "pin.review_request", list(Pin.objects.filter(pk__in=pin_ids, status=PinStatus.IN_REVIEW)),
        tenant_id=project.tenant_id, changes={
            "status": [PinStatus.READY_TO_SCHEDULE.value, PinStatus.IN_REVIEW.value],
            "review_action": [ReviewAction.NONE.value, ReviewAction.SCHEDULE.value],
            "review_requested_by": [None, getattr(person, "pk", None)],
        },
    )
    signals.pins_review_requested.send(
        sender=Pin, pin_ids=list(pin_ids), action=ReviewAction.SCHEDULE, requested_by=_username(person),
        requested_at=now,
    )
    return held
