"""Re-encrypting the stored signing secrets under the first key of PINPUBLISHER_TOKEN_KEYS.

Signing secrets are encrypted like Pinterest tokens (``pinterest.fields``, the same keys), so
a key rotation must re-encrypt both before the old key is dropped: ``manage.py
rotate_token_keys`` does both (it asks ``WebhooksConfig.rotate_encrypted_keys`` for these).
"""

from audit import record as audit_trail
from pinterest.fields import KeyRotationResult as SecretsRotated
from pinterest.fields import rows_rotate_keys
from webhooks.models import EndpointSecret


def secrets_rotate_keys(*, dry_run: bool = False, batch_size: int = 500) -> SecretsRotated:
    """Re-encrypt every signing secret under the first key, in batches of locked rows
    (``rows_rotate_keys``). Raises ``pinterest.fields.TokenDecryptionError`` naming a row no
    configured key decrypts."""
    result = rows_rotate_keys(EndpointSecret, ("secret",), what="the signing secret", dry_run=dry_run,
                              batch_size=batch_size)
    if result.rows_changed and not dry_run:
        audit_trail.record("webhook_secrets.rotate_keys", object_id="-", object_repr="every signing secret",
                           changes={"rows_reencrypted": [None, result.rows_changed]})
    return result
