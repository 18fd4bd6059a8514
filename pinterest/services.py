"""Services of the pinterest app: connections, their tokens and boards."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pinterest import fields
from pinterest.models import PinterestConnection

ENCRYPTED_FIELDS = ("access_token", "refresh_token")


@dataclass
class KeyRotationResult:
    rows_total: int = 0
    rows_changed: int = 0


def tokens_rotate_keys(*, dry_run: bool = False, batch_size: int = 500, progress=None) -> KeyRotationResult:
    """Re-encrypt every stored token under the first key of PINPUBLISHER_TOKEN_KEYS.

    Walks connections by primary key in batches, each batch in its own short
    transaction with the rows locked, so a concurrent token refresh is never
    overwritten with the old value. A value no key can decrypt raises
    ``TokenDecryptionError`` naming the row (``cryptography.fernet.InvalidToken``
    is translated). Returns how many rows were (or, with ``dry_run``, would be) changed.
    """
    result = KeyRotationResult()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                PinterestConnection.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", *ENCRYPTED_FIELDS)[:batch_size]
            )
            if not batch:
                break
            for connection in batch:
                changes = {}
                for name in ENCRYPTED_FIELDS:
                    raw = connection.__dict__.get(name)
                    if not raw:
                        continue
                    try:
                        rotated = fields.rotate(raw)
                    except fields.InvalidToken:
                        raise fields.TokenDecryptionError(
                            f"{PinterestConnection._meta.label} pk={connection.pk}: field '{name}' "
                            "cannot be decrypted with any key in PINPUBLISHER_TOKEN_KEYS."
                        ) from None
                    if rotated is not None:
                        changes[name] = rotated
                result.rows_total += 1
                if changes:
                    result.rows_changed += 1
                    if not dry_run:
                        PinterestConnection.objects.filter(pk=connection.pk).update(**changes)
            last_pk = batch[-1].pk
        if progress:
            progress(result)
    return result


class ConnectionUnusable(Exception):
    """The connection cannot be used to call Pinterest; the message says why, for a person."""


def connection_access_token(*, connection: PinterestConnection) -> str:
    """The connection's access token, ready for a call to Pinterest.

    Raises ConnectionUnusable when the connection is inactive, has no token, or its
    token cannot be decrypted with the configured keys.
    """
    if not connection.is_active:
        raise ConnectionUnusable(
            f"Pinterest account {connection} is disconnected"
            + (f": {connection.last_error}" if connection.last_error else "")
            + ". Reconnect it, then retry."
        )
    try:
        token = connection.access_token
    except fields.TokenDecryptionError as exc:
        raise ConnectionUnusable(
            f"The stored token of Pinterest account {connection} cannot be decrypted ({exc})."
        ) from None
    if not token:
        raise ConnectionUnusable(f"Pinterest account {connection} has no access token. Reconnect it.")
    return token


def connection_mark_inactive(*, connection_id: int, error: str) -> None:
    """Pinterest rejected the connection's token: stop using it until a person reconnects."""
    PinterestConnection.objects.filter(pk=connection_id).update(
        is_active=False, last_error=error, updated_at=timezone.now()
    )


def connection_reserve_publish_slot(*, connection_id: int, interval: float) -> datetime:
    """Reserve the next create-pin slot of a connection; returns when it starts.

    At most one create per ``interval`` seconds per connection, counted across every
    process and host: the slot is taken under a row lock in a short transaction (the
    caller waits for it afterwards, outside any transaction). Other connections'
    rows are untouched, so different accounts never wait for each other.
    """
    now = timezone.now()
    if interval <= 0:
        return now
    with transaction.atomic():
        next_at = (
            PinterestConnection.objects.select_for_update()
            .filter(pk=connection_id)
            .values_list("next_publish_at", flat=True)
            .get()
        )
        now = timezone.now()
        slot = max(now, next_at) if next_at else now
        PinterestConnection.objects.filter(pk=connection_id).update(
            next_publish_at=slot + timedelta(seconds=interval)
        )
    return slot


def connection_defer_publishing(*, connection_id: int, until: datetime) -> None:
    """After a 429, no publisher of this connection starts before ``until``."""
    with transaction.atomic():
        PinterestConnection.objects.filter(pk=connection_id).filter(
            Q(next_publish_at__isnull=True) | Q(next_publish_at__lt=until)
        ).update(next_publish_at=until)
