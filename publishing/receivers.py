"""Publishing's answers to other apps' signals. Thin: each calls one service.

Another answer to a signal is one more receiver with its own ``dispatch_uid`` (the webhooks
app records its events in ``webhooks.receivers``).
"""

from django.db import transaction
from django.dispatch import receiver
from django_q.conf import Conf
from django_q.signals import post_spawn

from pinterest.models import PinterestConnection
from pinterest.signals import connection_health_changed, connection_saved, connection_target_requested
from publishing.engine import runners_watch
from publishing.models import Tenant
from publishing.services.connections import project_attach_connection, project_check_connection_target
from publishing.services.notifications import connection_health_notify_owners, pins_review_notify_owners
from publishing.signals import pins_review_requested


@receiver(connection_target_requested, dispatch_uid="publishing.check_project_target")
def check_project_target(sender: object, *, tenant: Tenant, target: int, **kwargs: object) -> None:
    project_check_connection_target(tenant=tenant, project_id=target)


@receiver(connection_saved, dispatch_uid="publishing.attach_project")
def attach_project(
    sender: object, *, tenant: Tenant, connection: PinterestConnection, target: int | None, **kwargs: object
) -> None:
    if target is not None:
        project_attach_connection(tenant=tenant, project_id=target, connection=connection)


@receiver(connection_health_changed, dispatch_uid="publishing.notify_owners_of_health")
def notify_owners_of_health(
    sender: object, *, connection: PinterestConnection, health: str, detail: str, previous: str, **kwargs: object
) -> None:
    # Sent inside the transaction that records the change: mail only once it is committed.
    transaction.on_commit(
        lambda: connection_health_notify_owners(connection=connection, health=health, detail=detail, previous=previous)
    )


@receiver(pins_review_requested, dispatch_uid="publishing.notify_owners_of_review")
def notify_owners_of_review(
    sender: object, *, pin_ids: list, action: str, requested_by: str, **kwargs: object
) -> None:
    # Sent inside the transaction that puts the pins in review: mail only once it is committed.
    transaction.on_commit(
        lambda: pins_review_notify_owners(pin_ids=pin_ids, action=action, requested_by=requested_by)
    )


@receiver(post_spawn, dispatch_uid="publishing.watch_runner_places")
def watch_runner_places(sender: object, **kwargs: object) -> None:
    # In each django-q2 worker process as it starts: the cluster notices dead runners (engine.runners).
    # Not for a task run inline (sync mode: the "worker" is the caller's own process).
    if not Conf.SYNC:
        runners_watch()
