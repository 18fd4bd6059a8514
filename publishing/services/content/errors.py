"""What the content services share: the conflicts they raise."""

from pinpublisher.errors import Conflict


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
