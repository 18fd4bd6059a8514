"""What a recipe (``recipes``, ``recipes_team``, ``recipes_content``) says its call must leave."""

from dataclasses import dataclass, field
from unittest import mock

ANY = mock.ANY


@dataclass
class Expect:
    action: str
    object_id: object
    fields: dict = field(default_factory=dict)
    #: (kind, label) of who the event names, when not the recipe's job (an invitee accepting)
    actor: tuple[str, str] = ("job", "audit-recipe")
