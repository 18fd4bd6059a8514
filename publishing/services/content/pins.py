"""A project's pins: create, update, schedule, unschedule, delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from publishing.models import Pin, PinStatus, Tenant
from publishing.rules import MSG_NO_BOARD, MSG_NO_IMAGE, board_problem
from publishing.services.content.errors import PinNotDeletable, PinNotEditable
from publishing.services.content.pin_checks import (
    PIN_DELETABLE_STATUSES,
    PIN_TEXT_MAX,
    SCHEDULE_PAST_GRACE,
    article_for,
    board_for,
    check_image,
    check_image_url,
    check_text,
    image_name,
)
from publishing.services.content.projects import project_for


def pin_create(
    *,
    tenant: Tenant,
    project_id: int,
    article_id: int,
    board_id: int | None = None,
    title: str = "",
    description: str = "",
    alt_text: str = "",
    image: UploadedFile | None = None,
    image_url: str = "",
    scheduled_at: datetime | None = None,
) -> Pin:
    """Create a draft pin with an uploaded image or an https ``image_url`` (exactly one).

    With ``scheduled_at`` the new pin is then scheduled by ``pin_schedule`` (its rules, in the
    same transaction): a refused schedule creates nothing.

    Raises ValidationError (text longer than ``PIN_TEXT_MAX`` included).
    """
    if scheduled_at is not None:
        return _with_schedule(
            lambda: pin_create(
                tenant=tenant, project_id=project_id, article_id=article_id, board_id=board_id, title=title,
                description=description, alt_text=alt_text, image=image, image_url=image_url,
            ),
            scheduled_at=scheduled_at,
        )
    errors: dict[str, list[str]] = {}
    project = project_for(tenant=tenant, project_id=project_id, errors=errors)
    article = article_for(tenant=tenant, article_id=article_id, project=project, errors=errors)
    board = board_for(tenant=tenant, board_id=board_id, project=project, errors=errors)
    for field, text in (("title", title), ("description", description), ("alt_text", alt_text)):
        check_text(field, text, errors)
    extension = None
    if image is not None and image_url:
        errors.setdefault("image", []).append("Give either image or image_url, not both.")
    elif image is not None:
        extension = check_image(image, errors)
    elif image_url:
        check_image_url(image_url, errors)
    else:
        errors.setdefault("image", []).append(f"{MSG_NO_IMAGE}: upload one or give image_url.")
    if errors:
        raise ValidationError(errors)

    pin = Pin(
        project=project,
        article=article,
        board=board,
        title=title,
        description=description,
        alt_text=alt_text,
        image_url=image_url,
        status=PinStatus.DRAFT,
    )
    if image is not None:
        pin.image.save(image_name(extension), image, save=False)
    try:
        pin.save()
    except BaseException:
        if pin.image:
            pin.image.storage.delete(pin.image.name)
        raise
    return pin


def _refuse_change(pin_id, *, doing: str) -> None:
    """Raise why the pin could not be changed: it is gone (404) or not in an allowed status."""
    current = Pin.objects.filter(pk=pin_id).values_list("status", flat=True).first()
    if current is None:
        raise Pin.DoesNotExist(f"Pin {pin_id} not found.")
    if current == PinStatus.PUBLISHING:
        raise PinNotEditable(
            f"Pin is being published right now; it cannot be {doing} until publishing ends."
        )
    raise PinNotEditable(
        f"Pin is {PinStatus(current).label.lower()}; it can be {doing} only while it is "
        "draft, ready to schedule or error."
    )


def pin_update(*, pin: Pin, data: dict[str, Any]) -> Pin:
    """Change a pin that is draft, ready to schedule or error; returns it fresh from the database.

    ``data`` holds only what changes: ``project_id``, ``article_id``, ``board_id`` (None
    unassigns), ``title``, ``description``, ``alt_text``, ``image`` (an upload; replaces
    ``image_url``) and ``image_url`` (replaces an uploaded image; "" removes it). The pin must
    still have an image afterwards, and its text fit ``PIN_TEXT_MAX``.

    ``scheduled_at``, when present, is applied after the other changes, in the same
    transaction: a datetime by ``pin_schedule`` (its rules), None by ``pin_unschedule``; a
    refused schedule changes nothing.

    Raises ValidationError, PinNotEditable (publishing/published, also when a publisher took
    the pin meanwhile) or Pin.DoesNotExist.
    """
    if "scheduled_at" in data:
        data = dict(data)
        scheduled_at = data.pop("scheduled_at")
        return _with_schedule(lambda: pin_update(pin=pin, data=data), scheduled_at=scheduled_at)
    if not pin.is_editable:
        _refuse_change(pin.pk, doing="changed")
    tenant = pin.project.tenant
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}

    project = pin.project
    if "project_id" in data and data["project_id"] != pin.project_id:
        project = project_for(tenant=tenant, project_id=data["project_id"], errors=errors)
        changes["project"] = project
    if "article_id" in data or "project" in changes:
        article_id = data.get("article_id", pin.article_id)
        changes["article"] = article_for(
            tenant=tenant, article_id=article_id, project=project, errors=errors
        )
    if "board_id" in data or "project" in changes:
        board_id = data.get("board_id", pin.board_id)
        changes["board"] = board_for(
            tenant=tenant, board_id=board_id, project=project, errors=errors
        )
    for field in PIN_TEXT_MAX:
        if field in data:
            check_text(field, data[field], errors)
            changes[field] = data[field]

    image = data.get("image")
    extension = None
    if image is not None and data.get("image_url"):
        errors.setdefault("image", []).append("Give either image or image_url, not both.")
    elif image is not None:
        extension = check_image(image, errors)
        changes["image_url"] = ""
    elif "image_url" in data:
        check_image_url(data["image_url"], errors)
        changes["image_url"] = data["image_url"]
        if data["image_url"]:
            changes["image"] = ""
        elif not pin.image:
            errors.setdefault("image_url", []).append(
                f"{MSG_NO_IMAGE}: upload one instead of removing image_url."
            )
    if errors:
        raise ValidationError(errors)

    storage = pin.image.storage
    old_image = pin.image.name
    new_image = None
    if image is not None:
        field = Pin._meta.get_field("image")
        new_image = storage.save(field.generate_filename(pin, image_name(extension)), image)
        changes["image"] = new_image

    updated = 0
    try:
        if changes:
            updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
                **changes, updated_at=timezone.now()
            )
    finally:
        if new_image and not updated:
            storage.delete(new_image)
    if changes and not updated:
        _refuse_change(pin.pk, doing="changed")
    if old_image and "image" in changes:
        transaction.on_commit(lambda: storage.delete(old_image))
    return Pin.objects.get(pk=pin.pk)


def _with_schedule(write: Callable[[], Pin], *, scheduled_at: datetime | None) -> Pin:
    """Run ``write`` (a create or an update), then schedule (or, for None, unschedule) the pin it
    returns, all in one transaction. An image ``write`` stored is removed if the schedule is
    refused (the row that named it is rolled back)."""
    pin = None
    try:
        with transaction.atomic():
            pin = write()
            if scheduled_at is None:
                return pin_unschedule(pin=pin)
            return pin_schedule(pin=pin, scheduled_at=scheduled_at)
    except BaseException:
        if pin is not None and pin.image and not Pin.objects.filter(pk=pin.pk, image=pin.image.name).exists():
            pin.image.storage.delete(pin.image.name)
        raise


def pin_schedule(*, pin: Pin, scheduled_at: datetime, now: datetime | None = None) -> Pin:
    """Schedule a pin for ``scheduled_at`` (timezone-aware) and mark it ready_to_schedule.

    Works from draft, ready to schedule (a new time) and error (a retry; the old error
    message is cleared). The pin needs a usable board and an image. Raises ValidationError,
    PinNotEditable or Pin.DoesNotExist.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(scheduled_at):
        errors["scheduled_at"] = ["Give a timezone-aware datetime: a naive one is ambiguous."]
    elif scheduled_at < now - SCHEDULE_PAST_GRACE:
        errors["scheduled_at"] = [
            "This time is in the past; give a future time (or publish the pin now)."
        ]
    if pin.board_id is None:
        errors["board"] = [MSG_NO_BOARD]
    else:
        problem = board_problem(pin.board, pin.project)
        if problem:
            errors["board"] = [problem]
    if not pin.has_image:
        errors["image"] = [MSG_NO_IMAGE]
    if errors:
        raise ValidationError(errors)
    updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
        status=PinStatus.READY_TO_SCHEDULE,
        scheduled_at=scheduled_at,
        error_message="",
        updated_at=now,
    )
    if not updated:
        _refuse_change(pin.pk, doing="scheduled")
    return Pin.objects.get(pk=pin.pk)


def pin_unschedule(*, pin: Pin) -> Pin:
    """Take a pin off the schedule: back to draft, ``scheduled_at`` cleared.

    Raises PinNotEditable (publishing or published) or Pin.DoesNotExist.
    """
    updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
        status=PinStatus.DRAFT, scheduled_at=None, updated_at=timezone.now()
    )
    if not updated:
        _refuse_change(pin.pk, doing="unscheduled")
    return Pin.objects.get(pk=pin.pk)


def pin_delete(*, pin: Pin) -> None:
    """Delete a pin (and its attempts) unless it is being published; a published pin stays on
    Pinterest, only our record goes.

    The row is locked with its status condition, so a publisher cannot claim it in between.
    Raises PinNotDeletable or Pin.DoesNotExist.
    """
    with transaction.atomic():
        locked = (
            Pin.objects.select_for_update()
            .filter(pk=pin.pk, status__in=PIN_DELETABLE_STATUSES)
            .first()
        )
        if locked is None:
            if Pin.objects.filter(pk=pin.pk).exists():
                raise PinNotDeletable(
                    "Pin is being published right now; it can be deleted once publishing ends."
                )
            raise Pin.DoesNotExist(f"Pin {pin.pk} not found.")
        image = locked.image.name
        storage = locked.image.storage
        locked.delete()
        if image:
            transaction.on_commit(lambda: storage.delete(image))
