"""What each role of a tenant's member may do: the one rule every way in asks (issue 29).

A member is an owner, an editor or a viewer (``Membership.role``):

- owner: everything, the team, API keys, webhooks and Pinterest connections included;
- editor: reads, content (projects, articles, pins, board choices, posting slots, queues,
  schedules) and publishing (approvals, when a project asks for them, narrow this further);
- viewer: reads only.

What a request needs is an ``Action``. Its values are the API key scopes' names
(``apikeys.scopes.Scope``) plus ``members:write``, so a view's ``write_scope`` is also the action
its writes need, and a key's effective scopes are its own scopes that its owner's current role
allows (``may``): demoting a member narrows their keys at once. The API (``publishing.api_permissions``),
the planner (``planner.access``), the admin (``pinpublisher.admin_scoping`` through
``Membership.may``) and the commands that act for a user all ask ``may``.

Pure: it reads the role it is given, never the database. It sits at the bottom of publishing's
layers, so the models (``Membership.may``) can use it.
"""

from __future__ import annotations

from typing import Protocol

from django.db import models

from pinpublisher.errors import DomainError


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Action(models.TextChoices):
    READ = "read", "See everything of the tenant"
    WRITE_CONTENT = "pins:write", "Create, edit, delete, schedule and queue projects, articles, pins, boards and slots"
    PUBLISH = "publish", "Publish pins now, one or in bulk"
    MANAGE_CONNECTIONS = "connections:write", "Refresh, sync and disconnect Pinterest accounts"
    MANAGE_KEYS = "keys:write", "Create and revoke API keys"
    MANAGE_WEBHOOKS = "webhooks:write", "Create, change and delete webhooks"
    MANAGE_TEAM = "members:write", "See the team, change members' roles, remove members"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Action.values),
    Role.EDITOR: frozenset({Action.READ, Action.WRITE_CONTENT, Action.PUBLISH}),
    Role.VIEWER: frozenset({Action.READ}),
}

#: What a role's holder is told when they may not do something.
REFUSAL = "Your role ({role}) may not {what}; ask an owner of your team."


class RoleForbids(DomainError):
    """The member's role does not allow what they asked (403 ``role_forbids``)."""

    http_status = 403
    code = "role_forbids"

    def __init__(self, message: str, *, action: str) -> None:
        super().__init__(message)
        #: The action that was needed.
        self.action = action


class HasRole(Protocol):
    role: str


def role_may(role: str, action: str) -> bool:
    """Whether ``role`` allows ``action``. An unknown role or action allows nothing."""
    return action in ROLE_ACTIONS.get(role, frozenset())


def may(membership: HasRole | None, action: str) -> bool:
    """Whether the member may do ``action`` now (no membership: nothing). The function other
    modules switch to (approvals asks ``may(membership, Action.PUBLISH)``)."""
    return membership is not None and role_may(membership.role, action)


#: The roles whose asks never wait in review and who approve others' (a project's "pins need
#: approval", ``publishing.rules.approval``): owners.
APPROVERS: frozenset[str] = frozenset({Role.OWNER})


def approves(membership: HasRole | None) -> bool:
    """Whether the member approves pins in review (and so never waits for an approval)."""
    return membership is not None and membership.role in APPROVERS


def refusal(role: str, action: str) -> str:
    """The sentence a refused member reads."""
    what = Action(action).label.lower() if action in Action.values else action
    label = Role(role).label.lower() if role in Role.values else role
    return REFUSAL.format(role=label, what=what)


def actions_of(role: str) -> list[str]:
    """The actions ``role`` allows, in the catalogue's order."""
    allowed = ROLE_ACTIONS.get(role, frozenset())
    return [action for action in Action.values if action in allowed]


def require(membership: HasRole | None, action: str) -> None:
    """Raise ``RoleForbids`` unless the member may do ``action``."""
    if not may(membership, action):
        raise RoleForbids(refusal(membership.role if membership else "", action), action=action)
