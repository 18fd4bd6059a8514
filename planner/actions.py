"""The composer's buttons, each through the services the API calls, so nothing the planner does can
differ from what the API would do:

- Save draft: ``content.pin_create`` / ``content.pin_update`` (``POST``/``PATCH /api/pins/``);
- Schedule: the same with ``scheduled_at`` (the create or the change and the schedule in one
  transaction, ``pin_schedule``'s rule), as ``PATCH /api/pins/<id>/`` with ``scheduled_at``;
- Add to queue: the write, then ``queue_slots.pin_add_to_queue`` (``POST /api/pins/<id>/queue/``),
  as one (``content.written_then``);
- Publish now: the write and ``engine.pin_validate_for_publish`` as one, then
  ``approvals.pin_publish_now`` (``POST /api/pins/<id>/publish/``) once it is committed (a call to
  Pinterest never runs inside a transaction);
- in a project whose pins need approval, an editor's schedule, queue or publish ends in review (the
  services decide); the message says so;
- Back to draft: ``content.pin_unschedule``; Retry: ``readiness.pins_retry_failed`` (the admin's
  "Retry failed": ``pin_schedule`` at the pin's time, or now).

A refusal raises what the service raised (ValidationError naming fields, a ContentConflict, a
PinValidationError naming its field) and leaves nothing written: the view shows it on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError

from pinpublisher.timezones import format_when
from planner.forms import ComposerForm
from planner.reads import project_zone
from publishing import approvals, engine
from publishing.models import Pin, PinStatus, PublishTrigger, ReviewAction, Tenant
from publishing.selectors import pins_with_relations
from publishing.services import content, queue_slots, readiness


@dataclass
class Outcome:
    """What an action did: the pin it leaves and what to tell."""

    pin: Pin
    messages: list[tuple[str, str]] = field(default_factory=list)  # (level, text)


def _when(pin: Pin) -> str:
    return format_when(pin.scheduled_at, zone=project_zone(pin.project))


def _writer(form: ComposerForm, tenant: Tenant, **schedule: Any) -> Callable[[], Pin]:
    """The create or the change the form asks for (with ``scheduled_at`` when given), as a call not
    yet made. Raises ValidationError when the form itself refuses the input (its errors say why)."""
    if form.pin is None:
        data = form.create_data()
        call: Callable[[], Pin] = lambda: content.pin_create(tenant=tenant, **data, **schedule)  # noqa: E731
    else:
        pin, changes = form.pin, {**form.update_data(), **schedule}
        call = (lambda: content.pin_update(pin=pin, data=changes)) if changes else (lambda: pin)
    if form.errors:
        raise ValidationError("The form has errors.")
    return call


def compose(
    *, form: ComposerForm, tenant: Tenant, action: str, user: AbstractBaseUser | AnonymousUser
) -> Outcome:
    """Do ``action`` (one of ``forms.ACTIONS``) with the form's (valid) input. Raises ValidationError
    for input the form or a service refuses (the form holds the form's own errors), ContentConflict,
    and engine.PinValidationError."""
    pin_ready = form.pin is not None and form.pin.status == PinStatus.READY_TO_SCHEDULE
    if action == "schedule" or (action == "draft" and pin_ready and "scheduled_at" in form.changed_data):
        # Schedule, or a scheduled pin's new time saved: its schedule (as the API's PATCH with scheduled_at).
        at = form.scheduled_time(required=True)
        pin = _writer(form, tenant, scheduled_at=at)()
        said = "Scheduled for" if action == "schedule" else "Changes saved: it publishes at"
        return _in_review(pin) or Outcome(pin, [("success", f"{said} {_when(pin)}.")])
    write = _writer(form, tenant)
    if action == "queue":
        pin = content.written_then(write, lambda pin: queue_slots.pin_add_to_queue(pin=pin))
        return _in_review(pin) or Outcome(pin, [("success", f"Added to the queue: it publishes at {_when(pin)}.")])
    if action == "publish":
        def checked(pin: Pin) -> Pin:
            engine.pin_validate_for_publish(pin=pins_with_relations().get(pk=pin.pk))
            return pin

        return publish_now(pin=content.written_then(write, checked), user=user)
    if action == "unschedule":
        pin = content.written_then(write, lambda pin: content.pin_unschedule(pin=pin))
        return Outcome(pin, [("success", "Back to draft: the pin is off the schedule.")])
    pin = write()
    if pin.status != PinStatus.DRAFT:
        return Outcome(pin, [("success", "Changes saved.")])
    messages = [("success", "Draft saved.")]
    if "scheduled_at" in form.changed_data and form.cleaned_data.get("scheduled_at") is not None:
        messages.append(("info", "The time typed is used when you press Schedule; a draft does not publish."))
    return Outcome(pin, messages)


def _in_review(pin: Pin) -> Outcome | None:
    """What to tell when the ask went to review instead (an editor, a project whose pins need approval)."""
    if pin.status != PinStatus.IN_REVIEW:
        return None
    asked = ReviewAction(pin.review_action).label.lower() if pin.review_action else "publish"
    when = f" ({_when(pin)})" if pin.review_action == ReviewAction.SCHEDULE else ""
    return Outcome(pin, [("info", f"Sent for review: an owner approves before it publishes (asked: {asked}{when}).")])


def publish_now(*, pin: Pin, user: Any) -> Outcome:
    """``approvals.pin_publish_now`` for a person waiting, as the API's publish-now (an editor's goes to
    review when the project's pins need approval); says what came of it."""
    result = approvals.pin_publish_now(pin=pin, trigger=PublishTrigger.MANUAL)
    if isinstance(result, Pin):
        return _in_review(result) or Outcome(result)
    fresh = Pin.objects.get(pk=pin.pk)
    if result.success:
        return Outcome(fresh, [("success", "Published on Pinterest.")])
    if result.batch_id is not None:
        return Outcome(fresh, [("info", f"{result.error}. It will publish in the background.")])
    return Outcome(fresh, [("error", f"Pinterest did not publish the pin: {result.error}")])


def retry(*, pin: Pin) -> Outcome:
    """Give a failed pin another go (``readiness.pins_retry_failed``): at its time if still ahead,
    else now. Raises ValidationError with the reason when the schedule's rule refuses it."""
    result = readiness.pins_retry_failed(pin_ids=[pin.pk])
    if result.refused:
        (_pin, reason), *_others = result.refused
        raise ValidationError(reason)
    if not result.ready:
        raise ValidationError("Only a pin whose publishing failed can be retried.")
    fresh = result.ready[0]
    return _in_review(fresh) or Outcome(fresh, [("success", f"Retrying: the pin publishes at {_when(fresh)}.")])
