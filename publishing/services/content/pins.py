"""A project's pins: create, update, delete (their schedule: ``content.schedule``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from audit import record as audit_trail
from publishing import acting
from publishing.models import BlogProject, MediaState, Pin, PinKind, PinStatus, Tenant
from publishing.rules import (
    MSG_NO_IMAGE,
    PIN_DELETABLE_STATUSES,
    PIN_TEXT_MAX,
    check_carousel,
    check_cover,
    check_image,
    check_image_url,
    check_pin_link,
    check_text,
    check_video,
)
from publishing.rules.approval import review_required
from publishing.services.content.errors import PinNotDeletable, refuse_change
from publishing.services.content.media import carousel_save, section_for
from publishing.services.content.pin_checks import article_for, board_for, files_delete, image_name
from publishing.services.content.projects import project_for
from publishing.services.content.schedule import file_names, written_and_scheduled

# The ways a pin shows something; a pin has exactly one.
MEDIA_FIELDS = {
    "image": PinKind.IMAGE, "image_url": PinKind.IMAGE, "carousel": PinKind.CAROUSEL, "video": PinKind.VIDEO,
}
COVER_FIELDS = ("cover_image", "cover_image_url", "cover_key_frame_seconds")


def _given(value: object) -> bool:
    return value not in (None, "", [])


def _kind_of(data: dict[str, Any], errors: dict) -> PinKind | None:
    """The kind the media in ``data`` makes (None when none is given); two kinds are refused."""
    kinds = {MEDIA_FIELDS[name] for name in MEDIA_FIELDS if _given(data.get(name))}
    given = [name for name in MEDIA_FIELDS if _given(data.get(name))]
    if given == ["image", "image_url"]:
        errors.setdefault("image", []).append("Give either image or image_url, not both.")
        return None
    if len(given) > 1:
        errors.setdefault(given[1], []).append(
            "Give one of image, image_url, carousel or video, not " + " and ".join(given) + "."
        )
        return None
    return kinds.pop() if kinds else None


def _check_media(*, data: dict[str, Any], kind: PinKind | None, pin: Pin | None, errors: dict) -> dict[str, Any]:
    """Checks the media ``data`` gives for a pin of ``kind``; returns what to save:
    ``image_extension``, ``video_extension``, ``cover_extension``, ``carousel`` (plans)."""
    checked: dict[str, Any] = {}
    if _given(data.get("image")):
        checked["image_extension"] = check_image(data["image"], errors)
    if _given(data.get("image_url")):
        check_image_url(data["image_url"], errors)
    if _given(data.get("video")):
        checked["video_extension"] = check_video(data["video"], errors)
    if "carousel" in data and data["carousel"] is not None:
        existing = {item.pk: item for item in pin.carousel_items.all()} if pin is not None else {}
        checked["carousel"] = check_carousel(items=data["carousel"], existing=existing, errors=errors)
    if any(_given(data.get(name)) for name in COVER_FIELDS):
        if kind != PinKind.VIDEO:
            first = next(name for name in COVER_FIELDS if _given(data.get(name)))
            errors.setdefault(first, []).append("Only a video pin has a cover.")
        else:
            checked["cover_extension"] = check_cover(
                cover_image=data.get("cover_image"), cover_image_url=data.get("cover_image_url") or "",
                key_frame=data.get("cover_key_frame_seconds"), errors=errors,
            )
    return checked


def _save_files(pin: Pin, data: dict[str, Any], checked: dict[str, Any]) -> list[tuple[Any, str]]:
    """Store the uploads ``data`` gives onto ``pin`` (not saved); returns (storage, name) of each."""
    stored = []
    for field, extension_key in (("image", "image_extension"), ("video", "video_extension"),
                                 ("cover_image", "cover_extension")):
        upload = data.get(field)
        if _given(upload):
            file = getattr(pin, field)
            field_obj = Pin._meta.get_field(field)
            assert isinstance(field_obj, models.FileField)  # image, video and cover_image
            name = file.storage.save(field_obj.generate_filename(pin, image_name(checked[extension_key])), upload)
            setattr(pin, field, name)
            stored.append((file.storage, name))
    return stored


def pin_create(
    *,
    tenant: Tenant,
    project_id: int,
    article_id: int,
    board_id: int | None = None,
    board_section_id: int | None = None,
    title: str = "",
    description: str = "",
    alt_text: str = "",
    image: UploadedFile | None = None,
    image_url: str = "",
    carousel: list[dict[str, Any]] | None = None,
    video: UploadedFile | None = None,
    cover_image: UploadedFile | None = None,
    cover_image_url: str = "",
    cover_key_frame_seconds: int | None = None,
    scheduled_at: datetime | None = None,
    link: str = "",
) -> Pin:
    """Create a draft pin showing exactly one of: an uploaded image, an https ``image_url``, a
    ``carousel`` of 2-5 items (``publishing.rules.check_carousel``) or a
    ``video`` (with an optional cover). ``board_section_id`` must name a section of the board.

    ``link``: where the pin leads when not its article's URL (an http(s) URL; autopilot's with UTM).

    With ``scheduled_at`` the new pin is then scheduled by ``pin_schedule`` (its rules, in the
    same transaction): a refused schedule creates nothing.

    Raises ValidationError (text longer than ``PIN_TEXT_MAX`` included).
    """
    if scheduled_at is not None:
        return written_and_scheduled(
            lambda: pin_create(
                tenant=tenant, project_id=project_id, article_id=article_id, board_id=board_id,
                board_section_id=board_section_id, title=title, description=description, alt_text=alt_text,
                image=image, image_url=image_url, carousel=carousel, video=video, cover_image=cover_image,
                cover_image_url=cover_image_url, cover_key_frame_seconds=cover_key_frame_seconds, link=link,
            ),
            scheduled_at=scheduled_at,
        )
    errors: dict[str, list[str]] = {}
    project = project_for(tenant=tenant, project_id=project_id, errors=errors)
    article = article_for(tenant=tenant, article_id=article_id, project=project, errors=errors)
    board = board_for(tenant=tenant, board_id=board_id, project=project, errors=errors)
    section = section_for(section_id=board_section_id, board=board, errors=errors)
    for field, text in (("title", title), ("description", description), ("alt_text", alt_text)):
        check_text(field, text, errors)
    check_pin_link(link, errors)
    data = {"image": image, "image_url": image_url, "carousel": carousel, "video": video,
            "cover_image": cover_image, "cover_image_url": cover_image_url,
            "cover_key_frame_seconds": cover_key_frame_seconds}
    kind = _kind_of(data, errors)
    if kind is None and not errors:
        errors.setdefault("image", []).append(
            f"{MSG_NO_IMAGE}: upload one, give image_url, a carousel of images or a video."
        )
    checked = _check_media(data=data, kind=kind, pin=None, errors=errors)
    if errors:
        raise ValidationError(errors)

    assert kind is not None  # a pin without media is refused above
    pin = Pin(
        project=project,
        article=article,
        board=board,
        board_section=section,
        kind=kind,
        title=title,
        description=description,
        alt_text=alt_text,
        link=link,
        image_url=image_url,
        cover_image_url=cover_image_url,
        cover_key_frame_seconds=cover_key_frame_seconds,
        status=PinStatus.DRAFT,
    )
    stored = _save_files(pin, data, checked)
    try:
        with transaction.atomic():
            pin.save()
            if kind == PinKind.CAROUSEL:
                carousel_save(pin=pin, plans=checked["carousel"])
            audit_trail.record("pin.create", pin)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return pin


def pin_update(*, pin: Pin, data: dict[str, Any]) -> Pin:
    """Change a pin that is draft, ready to schedule or error; returns it fresh from the database.

    ``data`` holds only what changes: ``project_id``, ``article_id``, ``board_id`` (None
    unassigns), ``board_section_id`` (None unassigns), ``title``, ``description``, ``alt_text``,
    ``link`` ("" leads to the article's URL), and the media: ``image`` (an upload; replaces
    ``image_url``), ``image_url`` (replaces an uploaded image; "" removes it), ``carousel``
    (the whole list, in order; ``{"id": n}`` keeps an item), ``video`` and its cover fields.
    Media of another kind than the pin's replaces what it showed (the old files are deleted).
    The pin must still show something afterwards, and its text fit ``PIN_TEXT_MAX``; a section
    must belong to the (new) board.

    ``scheduled_at``, when present, is applied after the other changes, in the same
    transaction: a datetime by ``pin_schedule`` (its rules), None by ``pin_unschedule``; a
    refused schedule changes nothing.

    Raises ValidationError, PinNotEditable (publishing/published, also when a publisher took
    the pin meanwhile) or Pin.DoesNotExist.

    An editor's change to a scheduled pin of a project whose pins need approval (approved or not)
    sends it back to review at its time: it is rescheduled to the same time through ``pin_schedule``.
    """
    if (data and "scheduled_at" not in data and pin.status == PinStatus.READY_TO_SCHEDULE
            and review_required(person=acting.person(), project=pin.project)):
        data = {**data, "scheduled_at": pin.scheduled_at}
    if "scheduled_at" in data:
        data = dict(data)
        scheduled_at = data.pop("scheduled_at")
        return written_and_scheduled(lambda: _pin_update_fields(pin=pin, data=data), scheduled_at=scheduled_at)
    return _pin_update_fields(pin=pin, data=data)


def _pin_update_fields(*, pin: Pin, data: dict[str, Any]) -> Pin:
    """``pin_update`` without its schedule: the fields, files and carousel ``data`` changes."""
    if not pin.is_editable:
        refuse_change(pin.pk, doing="changed")
    before = audit_trail.snapshot(pin)
    tenant = pin.project.tenant
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}

    project: BlogProject | None = pin.project  # None: the new one is not found (an error)
    if "project_id" in data and data["project_id"] != pin.project_id:
        project = project_for(tenant=tenant, project_id=data["project_id"], errors=errors)
        changes["project"] = project
    if "article_id" in data or "project" in changes:
        article_id = data.get("article_id", pin.article_id)
        changes["article"] = article_for(
            tenant=tenant, article_id=article_id, project=project, errors=errors
        )
    board = pin.board
    if "board_id" in data or "project" in changes:
        board_id = data.get("board_id", pin.board_id)
        board = changes["board"] = board_for(
            tenant=tenant, board_id=board_id, project=project, errors=errors
        )
    if "board_section_id" in data or ("board" in changes and pin.board_section_id is not None):
        section_id = data.get("board_section_id", pin.board_section_id)
        if "board" in changes and board is None and "board_section_id" not in data:
            section_id = None
        changes["board_section"] = section_for(section_id=section_id, board=board, errors=errors)
    for field in PIN_TEXT_MAX:
        if field in data:
            check_text(field, data[field], errors)
            changes[field] = data[field]
    if "link" in data:
        check_pin_link(data["link"], errors)
        changes["link"] = data["link"]

    kind = _kind_of(data, errors) or PinKind(pin.kind)
    checked = _check_media(data=data, kind=kind, pin=pin, errors=errors)
    if kind != pin.kind:
        changes.update(_dropped_media(pin, keep=kind))
        changes["kind"] = kind
    if kind == PinKind.IMAGE:
        if _given(data.get("image")):
            changes["image_url"] = ""
        elif "image_url" in data:
            changes["image_url"] = data["image_url"]
            if data["image_url"]:
                changes["image"] = ""
            elif not pin.image or kind != pin.kind:
                errors.setdefault("image_url", []).append(
                    f"{MSG_NO_IMAGE}: upload one instead of removing image_url."
                )
    elif kind == PinKind.CAROUSEL and kind != pin.kind and "carousel" not in checked:
        errors.setdefault("carousel", []).append("Give the carousel's 2 to 5 images.")
    elif kind == PinKind.VIDEO:
        if _given(data.get("video")):
            # A new video is a new media for Pinterest: whatever was registered is forgotten.
            changes.update(media_id="", media_state=MediaState.NONE)
        for field in ("cover_image_url", "cover_key_frame_seconds"):
            if field in data:
                changes[field] = data[field]
        if any(_given(data.get(name)) for name in COVER_FIELDS):
            # One cover at a time: the one given replaces the others.
            changes.setdefault("cover_image_url", data.get("cover_image_url") or "")
            changes.setdefault("cover_key_frame_seconds", data.get("cover_key_frame_seconds"))
            if not _given(data.get("cover_image")) and pin.cover_image:
                changes["cover_image"] = ""
    if errors:
        raise ValidationError(errors)

    old_files = [
        (getattr(pin, name).storage, getattr(pin, name).name)
        for name in Pin.FILE_FIELDS
        if getattr(pin, name) and (name in changes or _given(data.get(name)))
    ]
    staged = Pin(pk=pin.pk, project=project)
    stored = _save_files(staged, data, checked)
    for field in ("image", "video", "cover_image"):
        if _given(data.get(field)):
            changes[field] = getattr(staged, field).name

    updated = 0
    try:
        with transaction.atomic():
            if changes or "carousel" in checked:
                updated = Pin.objects.filter(pk=pin.pk, status__in=Pin.EDITABLE_STATUSES).update(
                    **changes, updated_at=timezone.now()
                )
            if updated and "carousel" in checked:
                carousel_save(pin=pin, plans=checked["carousel"])
            elif updated and kind != PinKind.CAROUSEL and pin.kind == PinKind.CAROUSEL:
                carousel_save(pin=pin, plans=[])
            if updated:
                audit_trail.record("pin.update", Pin.objects.get(pk=pin.pk), before=before)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    if not updated:
        for storage, name in stored:
            storage.delete(name)
    if (changes or "carousel" in checked) and not updated:
        refuse_change(pin.pk, doing="changed")
    if old_files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in old_files])
    return Pin.objects.get(pk=pin.pk)


def _dropped_media(pin: Pin, *, keep: PinKind) -> dict[str, Any]:
    """The changes that clear what the pin showed before it becomes a pin of kind ``keep``."""
    changes: dict[str, Any] = {}
    if keep != PinKind.IMAGE:
        changes.update(image="", image_url="")
    if keep != PinKind.VIDEO:
        changes.update(video="", cover_image="", cover_image_url="", cover_key_frame_seconds=None,
                       media_id="", media_state=MediaState.NONE)
    return changes


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
        # Every file the pin holds: its image, video and cover, its carousel's images.
        names = file_names(locked)
        storage = locked.image.storage
        audit_trail.record("pin.delete", locked, before=audit_trail.snapshot(locked), after=None)
        locked.delete()
        if names:
            transaction.on_commit(lambda: files_delete(storage, names))
