"""Writes of a tenant's content: projects, articles and pins (create, update, schedule, delete).

Modules: ``projects``, ``articles``, ``pins`` (create, update, delete), ``schedule`` (the window
every scheduled time keeps, schedule, unschedule, and ``written_then``: a write and the step after
it as one), ``pin_checks`` and ``media`` (the reads and writes around the input rules, which are
``publishing.rules``'s; their names used by the API are re-exported here).

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
overwritten (docs/architecture.md, "Exactly once").
"""

from publishing.rules import (
    IMAGE_FORMATS,
    MAX_IMAGE_BYTES,
    MIN_IMAGE_SIDE,
    PIN_TEXT_MAX,
    PINTEREST_TEXT_LIMITS,
    URL_MAX,
    pin_warnings,
    schedule_problems,
    schedule_time_problem,
    schedule_window,
)
from publishing.services.content.articles import article_create, article_delete, article_update
from publishing.services.content.errors import (
    ArticleHasPins,
    ContentConflict,
    PinNotDeletable,
    PinNotEditable,
    ProjectHasPins,
)
from publishing.services.content.pins import pin_create, pin_delete, pin_update
from publishing.services.content.projects import project_create, project_delete, project_update
from publishing.services.content.schedule import pin_schedule, pin_unschedule, written_then

__all__ = [
    "IMAGE_FORMATS",
    "MAX_IMAGE_BYTES",
    "MIN_IMAGE_SIDE",
    "PINTEREST_TEXT_LIMITS",
    "PIN_TEXT_MAX",
    "URL_MAX",
    "ArticleHasPins",
    "ContentConflict",
    "PinNotDeletable",
    "PinNotEditable",
    "ProjectHasPins",
    "article_create",
    "article_delete",
    "article_update",
    "pin_create",
    "pin_delete",
    "pin_schedule",
    "pin_unschedule",
    "pin_update",
    "pin_warnings",
    "project_create",
    "project_delete",
    "project_update",
    "schedule_problems",
    "schedule_time_problem",
    "schedule_window",
    "written_then",
]
