"""Writes of a tenant's content: projects, articles and pins (create, update, schedule, delete).

Every function takes the caller's tenant (or an object already scoped to it) and refers to
related objects by id, resolving them inside the tenant: another tenant's id reads as
"not found", exactly like an id that does not exist.

What they raise:
- ``django.core.exceptions.ValidationError`` with a dict of field -> messages: the input
  breaks a rule (all the broken rules at once);
- :class:`ContentConflict` (and subclasses): the object's state forbids the change;
- ``Pin.DoesNotExist``: the pin vanished while it was being changed.
The REST API maps them to 400, 409 and 404 in one place (``pinpublisher.api``).

Status moves made here (schedule, unschedule, and the edit/delete guards) are conditional
UPDATEs or row-locked DELETEs filtered on the allowed statuses, never read-check-save: a pin
that a publisher moved to ``publishing`` in the meantime is refused with a conflict, never
overwritten (see DESIGN.md, "Pin status").
"""

from __future__ import annotations

import struct
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from PIL import Image

from pinpublisher.errors import Conflict
from pinterest.models import Board, PinterestConnection
from pinterest.payload import ALT_TEXT_MAX, DESCRIPTION_MAX, TITLE_MAX
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus, Tenant
from publishing.rules import MSG_NO_BOARD, MSG_NO_IMAGE, board_problem

# What Pinterest accepts for a pin's text; longer text is accepted here, reported as a
# warning, and cut when published. https://developers.pinterest.com/docs/api/v5/pins-create
PINTEREST_TEXT_LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "alt_text": ALT_TEXT_MAX}

# The longest text a pin keeps, for every way in (API, admin) alike; title is also the column's
# length. Pinterest's own, lower limits above are only warnings.
PIN_TEXT_MAX = {"title": 500, "description": 10_000, "alt_text": 5_000}

# Pinterest takes JPEG, PNG, WebP and GIF images up to 20 MB; tiny images look broken in a feed.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 100
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# Any pin may be deleted except one being published right now: its outcome is still open.
PIN_DELETABLE_STATUSES = tuple(s for s in PinStatus.values if s != PinStatus.PUBLISHING)

# Clocks differ a little: a "now" from a client a few minutes behind is still now.
SCHEDULE_PAST_GRACE = timedelta(minutes=5)


class ContentConflict(Conflict):
    """The request is well-formed, but the object's current state forbids it (HTTP 409)."""


class PinNotEditable(ContentConflict):
    code = "pin_not_editable"


class PinNotDeletable(ContentConflict):
    code = "pin_not_deletable"


class ArticleHasPins(ContentConflict):
    code = "article_has_pins"


class ProjectHasPins(ContentConflict):
    code = "project_has_pins"


# --- Projects --------------------------------------------------------------------------------


def _connection_for(*, tenant: Tenant, connection_id: int | None, errors: dict) -> Any:
    if connection_id is None:
        return None
    connection = PinterestConnection.objects.filter(tenant=tenant, pk=connection_id).first()
    if connection is None:
        errors.setdefault("pinterest_connection", []).append(
            f"Pinterest connection {connection_id} not found."
        )
    return connection


def _check_project_name(*, tenant: Tenant, name: str, exclude_id: int | None, errors: dict) -> str:
    name = name.strip()
    if not name:
        errors.setdefault("name", []).append("This field may not be blank.")
        return name
    clash = BlogProject.objects.filter(tenant=tenant, name=name).exclude(pk=exclude_id)
    if clash.exists():
        errors.setdefault("name", []).append(f"You already have a project named {name!r}.")
    return name


def _save_project(project: BlogProject) -> BlogProject:
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # Another request took the name between our check and this insert.
        raise ValidationError(
            {"name": [f"You already have a project named {project.name!r}."]}
        ) from None
    return project


def project_create(
    *, tenant: Tenant, name: str, pinterest_connection_id: int | None = None
) -> BlogProject:
    errors: dict[str, list[str]] = {}
    name = _check_project_name(tenant=tenant, name=name, exclude_id=None, errors=errors)
    connection = _connection_for(
        tenant=tenant, connection_id=pinterest_connection_id, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    return _save_project(
        BlogProject(tenant=tenant, name=name, pinterest_connection=connection)
    )


def project_update(*, project: BlogProject, data: dict[str, Any]) -> BlogProject:
    """Change ``name`` and/or ``pinterest_connection_id`` (only the keys present in ``data``)."""
    errors: dict[str, list[str]] = {}
    if "name" in data:
        project.name = _check_project_name(
            tenant=project.tenant, name=data["name"], exclude_id=project.pk, errors=errors
        )
    if "pinterest_connection_id" in data:
        project.pinterest_connection = _connection_for(
            tenant=project.tenant, connection_id=data["pinterest_connection_id"], errors=errors
        )
    if errors:
        raise ValidationError(errors)
    return _save_project(project)


def project_delete(*, project: BlogProject) -> None:
    """Delete a project and its articles. Raises ProjectHasPins: pins are never lost silently."""
    with transaction.atomic():
        pin_count = Pin.objects.filter(project=project).count()
        if pin_count:
            raise ProjectHasPins(
                f"Project {project.name!r} has {pin_count} pin(s); delete them first."
            )
        project.delete()


# --- Articles --------------------------------------------------------------------------------


def _project_for(*, tenant: Tenant, project_id: int, errors: dict) -> BlogProject | None:
    project = BlogProject.objects.filter(tenant=tenant, pk=project_id).first()
    if project is None:
        errors.setdefault("project", []).append(f"Project {project_id} not found.")
    return project


def _check_article_url(url: str, errors: dict) -> None:
    # The url becomes the pin's link; Pinterest only links to web pages.
    if not url.lower().startswith(("http://", "https://")):
        errors.setdefault("url", []).append("Must be an http or https URL.")


def article_create(*, tenant: Tenant, project_id: int, url: str, title: str = "") -> BlogArticle:
    errors: dict[str, list[str]] = {}
    project = _project_for(tenant=tenant, project_id=project_id, errors=errors)
    _check_article_url(url, errors)
    if errors:
        raise ValidationError(errors)
    return BlogArticle.objects.create(project=project, url=url, title=title)


def article_update(*, article: BlogArticle, data: dict[str, Any]) -> BlogArticle:
    """Change ``project_id``, ``url`` and/or ``title``.

    Raises ArticleHasPins when moving an article that has pins to another project (its pins
    would be left pointing at an article of a different project).
    """
    errors: dict[str, list[str]] = {}
    tenant = article.project.tenant
    if "project_id" in data and data["project_id"] != article.project_id:
        project = _project_for(tenant=tenant, project_id=data["project_id"], errors=errors)
        if project is not None:
            pin_count = article.pins.count()
            if pin_count:
                raise ArticleHasPins(
                    f"Article {article.pk} has {pin_count} pin(s); it cannot move to another "
                    "project."
                )
            article.project = project
    if "url" in data:
        _check_article_url(data["url"], errors)
        article.url = data["url"]
    if "title" in data:
        article.title = data["title"]
    if errors:
        raise ValidationError(errors)
    article.save()
    return article


def article_delete(*, article: BlogArticle) -> None:
    """Delete an article. Raises ArticleHasPins while any pin links to it."""
    try:
        with transaction.atomic():
            article.delete()
    except (ProtectedError, IntegrityError):
        # ProtectedError: pins exist. IntegrityError: a pin was added while we deleted
        # (PostgreSQL checks the deferred foreign key at commit).
        pin_count = Pin.objects.filter(article_id=article.pk).count()
        raise ArticleHasPins(
            f"Article {article.pk} has {pin_count} pin(s); delete them (or move them to "
            "another article) first."
        ) from None


# --- Pins: validation ------------------------------------------------------------------------


def _check_image(upload: UploadedFile, errors: dict) -> str | None:
    """The file extension for an acceptable upload, or None (with the reason in ``errors``)."""
    problems = errors.setdefault("image", [])
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        problems.append(
            f"The image is {upload.size / 1024 / 1024:.1f} MB; at most "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB is accepted."
        )
        return None
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        problems.append("The image has too many pixels.")
        return None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
        # Pillow's ways of saying "this is not an image it can read" (untrusted input).
        problems.append("Upload a valid image: the file is not an image or it is corrupted.")
        return None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        problems.append(
            f"{image_format} images are not accepted; use JPEG, PNG, WebP or GIF."
        )
        return None
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        problems.append(
            f"The image is {width}x{height} px; it must be at least "
            f"{MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE} px."
        )
        return None
    errors.pop("image")
    return IMAGE_FORMATS[image_format]


def _check_text(field: str, text: str, errors: dict) -> None:
    limit = PIN_TEXT_MAX[field]
    if len(text) > limit:
        errors.setdefault(field, []).append(
            f"This text is {len(text)} characters long; at most {limit} are accepted."
        )


def _check_image_url(url: str, errors: dict) -> None:
    # Pinterest fetches the image itself; only https is accepted (no plain-text fetches).
    if url and not url.lower().startswith("https://"):
        errors.setdefault("image_url", []).append("Must be an https URL.")


def _board_for(*, tenant: Tenant, board_id: int | None, project, errors: dict) -> Board | None:
    if board_id is None:
        return None
    board = (
        Board.objects.filter(connection__tenant=tenant, pk=board_id)
        .select_related("connection")
        .first()
    )
    if board is None:
        errors.setdefault("board", []).append(
            f"Board {board_id} not found among the boards of your Pinterest accounts."
        )
        return None
    problem = board_problem(board, project)
    if problem:
        errors.setdefault("board", []).append(problem)
    return board


def _article_for(*, tenant: Tenant, article_id: int, project, errors: dict) -> BlogArticle | None:
    article = BlogArticle.objects.filter(project__tenant=tenant, pk=article_id).first()
    if article is None:
        errors.setdefault("article", []).append(f"Article {article_id} not found.")
        return None
    if project is not None and article.project_id != project.pk:
        errors.setdefault("article", []).append(
            f"Article {article_id} is not an article of project {project.name!r}."
        )
    return article


def _image_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def pin_warnings(*, pin: Pin) -> list[dict[str, str]]:
    """What Pinterest will cut from this pin when it is published (text over its limits)."""
    warnings = []
    for field, limit in PINTEREST_TEXT_LIMITS.items():
        length = len(getattr(pin, field))
        if length > limit:
            warnings.append(
                {
                    "field": field,
                    "message": f"{field} is {length} characters; Pinterest allows {limit}, "
                    f"so it will be cut to {limit} when published.",
                }
            )
    return warnings


# --- Pins: writes ----------------------------------------------------------------------------


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
) -> Pin:
    """Create a draft pin with an uploaded image or an https ``image_url`` (exactly one).

    Raises ValidationError (text longer than ``PIN_TEXT_MAX`` included).
    """
    errors: dict[str, list[str]] = {}
    project = _project_for(tenant=tenant, project_id=project_id, errors=errors)
    article = _article_for(tenant=tenant, article_id=article_id, project=project, errors=errors)
    board = _board_for(tenant=tenant, board_id=board_id, project=project, errors=errors)
    for field, text in (("title", title), ("description", description), ("alt_text", alt_text)):
        _check_text(field, text, errors)
    extension = None
    if image is not None and image_url:
        errors.setdefault("image", []).append("Give either image or image_url, not both.")
    elif image is not None:
        extension = _check_image(image, errors)
    elif image_url:
        _check_image_url(image_url, errors)
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
        pin.image.save(_image_name(extension), image, save=False)
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

    Raises ValidationError, PinNotEditable (publishing/published, also when a publisher took
    the pin meanwhile) or Pin.DoesNotExist.
    """
    if not pin.is_editable:
        _refuse_change(pin.pk, doing="changed")
    tenant = pin.project.tenant
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}

    project = pin.project
    if "project_id" in data and data["project_id"] != pin.project_id:
        project = _project_for(tenant=tenant, project_id=data["project_id"], errors=errors)
        changes["project"] = project
    if "article_id" in data or "project" in changes:
        article_id = data.get("article_id", pin.article_id)
        changes["article"] = _article_for(
            tenant=tenant, article_id=article_id, project=project, errors=errors
        )
    if "board_id" in data or "project" in changes:
        board_id = data.get("board_id", pin.board_id)
        changes["board"] = _board_for(
            tenant=tenant, board_id=board_id, project=project, errors=errors
        )
    for field in PIN_TEXT_MAX:
        if field in data:
            _check_text(field, data[field], errors)
            changes[field] = data[field]

    image = data.get("image")
    extension = None
    if image is not None and data.get("image_url"):
        errors.setdefault("image", []).append("Give either image or image_url, not both.")
    elif image is not None:
        extension = _check_image(image, errors)
        changes["image_url"] = ""
    elif "image_url" in data:
        _check_image_url(data["image_url"], errors)
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
        new_image = storage.save(field.generate_filename(pin, _image_name(extension)), image)
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
