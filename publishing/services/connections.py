"""A newly connected Pinterest account given to one of the tenant's projects.

The pinterest app asks through ``pinterest.signals`` (it never touches publishing's
tables); ``publishing.receivers`` answers by calling these.
"""

from audit import record as audit_trail
from pinterest.errors import ConnectError
from pinterest.models import PinterestConnection
from publishing.models import BlogProject, Tenant


def _not_the_tenants(project_id: int, tenant: Tenant) -> ConnectError:
    return ConnectError(f"Project {project_id} is not a project of {tenant}.", field="project")


def project_check_connection_target(*, tenant: Tenant, project_id: int) -> None:
    """Raise ConnectError unless ``project_id`` is one of the tenant's projects."""
    if not BlogProject.objects.filter(pk=project_id, tenant=tenant).exists():
        raise _not_the_tenants(project_id, tenant)


def project_attach_connection(*, tenant: Tenant, project_id: int, connection: PinterestConnection) -> None:
    """The project publishes with ``connection`` from now on; ConnectError when it is not the tenant's."""
    project = BlogProject.objects.filter(pk=project_id, tenant=tenant).first()
    if project is None:
        raise _not_the_tenants(project_id, tenant)
    before = audit_trail.snapshot(project, ("pinterest_connection",))
    BlogProject.objects.filter(pk=project.pk).update(pinterest_connection=connection)
    project.pinterest_connection = connection
    audit_trail.record("project.update", project, before=before,
                       after=audit_trail.snapshot(project, ("pinterest_connection",)))
