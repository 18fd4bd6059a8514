"""Re-encrypting the stored signing secrets under the first key of PINPUBLISHER_TOKEN_KEYS.

Signing secrets are encrypted like Pinterest tokens (``pinterest.fields``, the same keys), so
a key rotation must re-encrypt both before the old key is dropped: ``manage.py
rotate_token_keys`` does both (it asks ``WebhooksConfig.rotate_encrypted_keys`` for these).
"""

from dataclasses import dataclass

from django.db import transaction

from audit import record as audit_trail
from pinterest import fields
from webhooks.models import EndpointSecret


@dataclass
class SecretsRotated:
    rows_total: int = 0
    rows_changed: int = 0


def secrets_rotate_keys(*, dry_run: bool = False, batch_size: int = 500) -> SecretsRotated:
    """Re-encrypt every signing secret under the first key, in batches of locked rows.

    Raises ``pinterest.fields.TokenDecryptionError`` naming a row no configured key decrypts.
    """
    result = SecretsRotated()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                EndpointSecret.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk").only("pk", "secret")[
                    :batch_size
                ]
            )
            if not batch:
                if result.rows_changed and not dry_run:
                    audit_trail.record("webhook_secrets.rotate_keys", object_id="-", object_repr="every signing secret",
                                       changes={"rows_reencrypted": [None, result.rows_changed]})
                return result
            for row in batch:
                raw = row.__dict__.get("secret")
                try:
                    rotated = fields.rotate(raw) if raw else None
                except fields.InvalidToken:
                    raise fields.TokenDecryptionError(
                        f"{EndpointSecret._meta.label} pk={row.pk}: the signing secret cannot be decrypted with "
                        "any key in PINPUBLISHER_TOKEN_KEYS."
                    ) from None
                result.rows_total += 1
                if rotated is not None:
                    result.rows_changed += 1
                    if not dry_run:
                        EndpointSecret.objects.filter(pk=row.pk).update(secret=rotated)
            last_pk = batch[-1].pk
