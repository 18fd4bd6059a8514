"""A tenant's blog projects: create, update, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import record as audit_trail
from pinterest.models import PinterestConnection
from publishing import acting
from publishing.models import BlogProject, Pin, Tenant, validate_timezone
from publishing.rules.approval import may_approve
from publishing.services.content.errors import ProjectHasPins


def _connection_for(*, tenant: Tenant, connection_id: int | None, errors: dict) -> Any:
    if connection_id is None:
        return None
    connection = PinterestConnection.objects.filter(tenant=tenant, pk=connection_id).first()
    if connection is None:
        errors.setdefault("pinterest_connection", []).append(
            f"Pinterest connection {connection_id} not found."
        )
    return connection


#: The longest name a project keeps (its column), for every way in.
PROJECT_NAME_MAX = 200


def _check_project_name(*, tenant: Tenant, name: str, exclude_id: int | None, errors: dict) -> str:
    name = name.strip()
    if not name:
        errors.setdefault("name", []).append("This field may not be blank.")
        return name
    if len(name) > PROJECT_NAME_MAX:
        errors.setdefault("name", []).append(
            f"This name is {len(name)} characters long; at most {PROJECT_NAME_MAX} are accepted."
        )
        return name
    clash = BlogProject.objects.filter(tenant=tenant, name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        errors.setdefault("name", []).append(f"You already have a project named {name!r}.")
    return name


def _check_timezone(name: str, errors: dict) -> str:
    try:
        validate_timezone(name)
    except ValidationError as err:
        errors.setdefault("timezone", []).extend(err.messages)
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


def _check_approval_setting(*, tenant_id: int, errors: dict) -> None:
    """Only an owner (or nobody acting: a command) turns "pins need approval" on or off
    (``publishing.rules.approval``): an editor could otherwise skip their own review."""
    person = acting.person()
    if person is not None and not may_approve(person=person, tenant_id=tenant_id):
        errors.setdefault("requires_approval", []).append(
            "Only an owner of the tenant can change whether pins need approval."
        )


def project_create(
    *, tenant: Tenant, name: str, pinterest_connection_id: int | None = None, timezone: str = "UTC",
    requires_approval: bool = False,
) -> BlogProject:
    """A project; ``timezone`` is an IANA name (its posting slots and calendar are read in it);
    ``requires_approval``: an editor's schedule, queue or publish waits for an owner (issue 29)."""
    errors: dict[str, list[str]] = {}
    if requires_approval:
        _check_approval_setting(tenant_id=tenant.pk, errors=errors)
    name = _check_project_name(tenant=tenant, name=name, exclude_id=None, errors=errors)
    connection = _connection_for(
        tenant=tenant, connection_id=pinterest_connection_id, errors=errors
    )
    _check_timezone(timezone, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = _save_project(
            BlogProject(tenant=tenant, name=name, pinterest_connection=connection, timezone=timezone,
                        requires_approval=requires_approval)
        )
        audit_trail.record("project.create", project)
    return project


def project_update(*, project: BlogProject, data: dict[str, Any]) -> BlogProject:
    """Change ``name``, ``pinterest_connection_id``, ``timezone`` and/or ``requires_approval`` (only
    the keys present in ``data``; the last by an owner only). A new time zone moves future queue
    slots, not pins already scheduled; turning approval off leaves pins in review in review."""
    errors: dict[str, list[str]] = {}
    before = audit_trail.snapshot(project)
    if "name" in data:
        project.name = _check_project_name(
            tenant=project.tenant, name=data["name"], exclude_id=project.pk, errors=errors
        )
    if "pinterest_connection_id" in data:
        project.pinterest_connection = _connection_for(
            tenant=project.tenant, connection_id=data["pinterest_connection_id"], errors=errors
        )
    if "timezone" in data:
        project.timezone = _check_timezone(data["timezone"], errors)
    if "requires_approval" in data and bool(data["requires_approval"]) != project.requires_approval:
        _check_approval_setting(tenant_id=project.tenant_id, errors=errors)
        project.requires_approval = bool(data["requires_approval"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save_project(project)
        audit_trail.record("project.update", project, before=before)
    return project


def project_delete(*, project: BlogProject) -> None:
    """Delete a project and its articles. Raises ProjectHasPins: pins are never lost silently."""
    with transaction.atomic():
        pin_count = Pin.objects.filter(project=project).count()
        if pin_count:
            raise ProjectHasPins(
                f"Project {project.name!r} has {pin_count} pin(s); delete them first."
            )
        audit_trail.record("project.delete", project, before=audit_trail.snapshot(project), after=None)
        project.delete()


def project_for(*, tenant: Tenant, project_id: int, errors: dict) -> BlogProject | None:
    project = BlogProject.objects.filter(tenant=tenant, pk=project_id).first()
    if project is None:
        errors.setdefault("project", []).append(f"Project {project_id} not found.")
    return project
