"""Who needs an owner's approval and who may give it (issue 29), decided here and nowhere else.

A project with ``requires_approval`` holds what an editor asks (schedule, queue, publish) in review
until an owner approves it. Who approves is the roles' rule (``publishing.roles.approves``: an
owner); an editor's asks wait (a viewer asks nothing: ``publishing.roles.may`` refuses first); an
API key acts as its owner (the key's owner is the request's user). An operator (a superuser, who
belongs to no tenant) approves. Nobody acting (the schedule, a command, a task) needs no approval.

Pure as the other rules: they read the person's ``membership`` relation and the project they are
given (the API and the planner load the membership with the user).
"""

from __future__ import annotations

from typing import Any

from publishing.models import BlogProject
from publishing.roles import approves

MSG_NOT_APPROVER = "Only an owner of the tenant can approve or send back a pin in review."


def may_approve(*, person: Any, tenant_id: int) -> bool:
    """Whether ``person`` may approve or send back the pins of tenant ``tenant_id``."""
    if person is None:
        return False
    if person.is_superuser:
        return True
    membership = getattr(person, "membership", None)
    return membership is not None and membership.tenant_id == tenant_id and approves(membership)


def review_required(*, person: Any, project: BlogProject) -> bool:
    """Whether what ``person`` asks for a pin of ``project`` waits in review for an owner."""
    return project.requires_approval and person is not None and not may_approve(
        person=person, tenant_id=project.tenant_id
    )
