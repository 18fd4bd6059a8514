"""Publishing's answers to other apps' signals. Thin: each calls one service."""

from django.dispatch import receiver

from pinterest.signals import connection_saved, connection_target_requested
from publishing.services.connections import project_attach_connection, project_check_connection_target


@receiver(connection_target_requested, dispatch_uid="publishing.check_project_target")
def check_project_target(sender, *, tenant, target, **kwargs):
    project_check_connection_target(tenant=tenant, project_id=target)


@receiver(connection_saved, dispatch_uid="publishing.attach_project")
def attach_project(sender, *, tenant, connection, target, **kwargs):
    if target is not None:
        project_attach_connection(tenant=tenant, project_id=target, connection=connection)
