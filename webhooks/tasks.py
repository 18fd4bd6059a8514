"""django-q2 entry points: they take ids and call a service, nothing more.

Enqueued by dotted path (``webhooks.queue``) when new deliveries commit, and scheduled every
minute (``webhooks.schedules``). django-q2 may run a task twice; a delivery is claimed
before it is sent, so a second run finds nothing left to do.
"""

from webhooks.services.delivery import deliveries_send_due


def deliver(delivery_ids: list[int]) -> dict:
    """Send these new (or redelivered) deliveries now, then whatever else is due."""
    return deliveries_send_due(first=[int(pk) for pk in delivery_ids]).as_dict()


def deliver_due() -> dict:
    """Every due delivery: retries whose time has come, and any a crash left behind."""
    return deliveries_send_due().as_dict()
