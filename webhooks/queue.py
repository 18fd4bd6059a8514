"""Delivery work handed to django-q2's workers, by dotted path: services never import ``tasks``.

Each enqueue is its own small transaction: outside one, django-q2's ORM broker first calls
``close_old_connections()``, which with ``CONN_MAX_AGE=0`` closes the caller's database
connection, so every enqueue would pay for a new connection (about 15 ms here, most of the
cost of an event; bench/README.md, "Webhooks"). A successful delivery task's result is not
saved (``save=False``): there is one task per committed event, the attempts are logged in
``DeliveryAttempt``, and saving each result made django-q2's monitor the bottleneck.
"""

from collections.abc import Iterable

from django.db import transaction
from django_q.tasks import async_task

DELIVER = "webhooks.tasks.deliver"
DELIVER_DUE = "webhooks.tasks.deliver_due"


def enqueue_deliver(*, delivery_ids: Iterable[int]) -> None:
    """Send these deliveries now (called on commit of the transaction that wrote them)."""
    ids = [int(pk) for pk in delivery_ids]
    if ids:
        with transaction.atomic():
            async_task(DELIVER, ids, task_name="deliver-webhooks", save=False)


def enqueue_deliver_due() -> None:
    """One pass over every due delivery now (the schedule runs the same task every minute)."""
    with transaction.atomic():
        async_task(DELIVER_DUE, task_name="deliver-due-webhooks")
