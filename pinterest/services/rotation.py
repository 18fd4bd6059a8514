"""Key rotation: every stored token re-encrypted under the first key of PINPUBLISHER_TOKEN_KEYS."""

from collections.abc import Callable

from audit import record as audit_trail
from pinterest.fields import KeyRotationResult, rows_rotate_keys
from pinterest.models import PinterestConnection

__all__ = ["ENCRYPTED_FIELDS", "KeyRotationResult", "tokens_rotate_keys"]

ENCRYPTED_FIELDS = ("access_token", "refresh_token")


def tokens_rotate_keys(
    *, dry_run: bool = False, batch_size: int = 500, progress: Callable[[KeyRotationResult], None] | None = None
) -> KeyRotationResult:
    """Re-encrypt every stored Pinterest token under the first key (``rows_rotate_keys``)."""
    result = rows_rotate_keys(PinterestConnection, ENCRYPTED_FIELDS, what="the tokens", dry_run=dry_run,
                              batch_size=batch_size, progress=progress)
    if result.rows_changed and not dry_run:
        audit_trail.record("tokens.rotate_keys", object_id="-", object_repr="every connection's tokens",
                           changes={"rows_reencrypted": [None, result.rows_changed]})
    return result
