"""Key rotation: every stored token re-encrypted under the first key of PINPUBLISHER_TOKEN_KEYS."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from audit import record as audit_trail
from pinterest import fields
from pinterest.models import PinterestConnection

ENCRYPTED_FIELDS = ("access_token", "refresh_token")


@dataclass
class KeyRotationResult:
    rows_total: int = 0
    rows_changed: int = 0


def tokens_rotate_keys(
    *, dry_run: bool = False, batch_size: int = 500, progress: Callable[[KeyRotationResult], None] | None = None
) -> KeyRotationResult:
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
    if result.rows_changed and not dry_run:
        audit_trail.record("tokens.rotate_keys", object_id="-", object_repr="every connection's tokens",
                           changes={"rows_reencrypted": [None, result.rows_changed]})
    return result
