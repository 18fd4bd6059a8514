"""What the content services share: the conflicts they raise, and why a pin's change was refused."""

import uuid
from typing import NoReturn

from pinpublisher.errors import Conflict
from publishing.models import Pin, PinStatus


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


def refuse_change(pin_id: uuid.UUID, *, doing: str) -> NoReturn:
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
        "draft, ready to schedule, error or in review."
    )
