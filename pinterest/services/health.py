"""A connection's health: spam blocks, and telling people once per change.

``connection_health_check`` compares what the row says now (``PinterestConnection.health``)
with what the tenant's owners were last told (``notified_health``) and sends
``pinterest.signals.connection_health_changed`` when a person must act, or when the
connection recovered from such a state. It is called after every change of a
connection's state and by the periodic retry job (a refresh failing for a day needs a
person even though nothing else changed).

The signal is sent inside the transaction that records what was told (``notified_health``):
a receiver that writes (the webhooks outbox) commits with it, so a change is told exactly
when it is recorded as told, and a rollback tells nobody; a receiver that acts outside the
database (an email) waits for the commit with ``transaction.on_commit``.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinterest import signals
from pinterest.conf import pinterest_settings
from pinterest.errors import PinterestError
from pinterest.models import Health, PinterestConnection

logger = logging.getLogger(__name__)

NEEDS_A_PERSON = (Health.NEEDS_RECONNECT, Health.SPAM_BLOCKED, Health.REFRESH_FAILING)


def connection_health_check(*, connection_id: int, now: datetime | None = None) -> str:
    """Tell the receivers when the connection starts or stops needing a person; returns its health."""
    now = now or timezone.now()
    with transaction.atomic():
        connection = PinterestConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return ""
        health, detail = connection.health(now=now)
        previous = connection.notified_health
        needs = connection.needs_a_person(now=now)
        # A person hears when the account starts needing them (or needs them for another
        # reason), and once when it stops; nothing while nothing changed.
        if not ((needs and health != previous) or (not needs and previous in NEEDS_A_PERSON)):
            return health
        PinterestConnection.objects.filter(pk=connection.pk).update(notified_health=health)
        signals.connection_health_changed.send(
            sender=PinterestConnection, connection=connection, health=health, detail=detail, previous=previous
        )
    logger.info("Connection %s health %s -> %s", connection_id, previous or "-", health)
    return health


def connection_spam_block(*, connection_id: int, exc: PinterestError) -> datetime:
    """Pinterest's anti-spam system blocked the account: no creates until the cool-down ends.

    Returns when publishing resumes. Never retried in a loop: the due pins wait.
    """
    now = timezone.now()
    until = now + timedelta(hours=float(pinterest_settings.PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS))
    error = f"Blocked by Pinterest for suspected spam: {exc.user_message}"
    with transaction.atomic():
        PinterestConnection.objects.filter(pk=connection_id).update(
            spam_blocked_at=now, spam_blocked_until=until, next_publish_at=until,
            last_error=error, last_error_at=now, updated_at=now,
        )
        connection = PinterestConnection.objects.filter(pk=connection_id).first()
        if connection is not None:
            audit_trail.record("connection.spam_block", connection, changes={
                "spam_blocked_until": [None, until.isoformat()], "last_error": [None, error],
            })
    logger.warning("Connection %s blocked for spam until %s: %s", connection_id, until, exc)
    connection_health_check(connection_id=connection_id)
    return until
