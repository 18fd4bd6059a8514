"""API keys: create (the key is handed back once), revoke, authenticate.

The rules a key lives by are here and nowhere else: who may own one, what a key may grant,
when it stops working, how often its use is recorded. Views, the admin and the commands
call these functions.
"""

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apikeys import selectors
from apikeys.errors import ApiKeyRejected, InsufficientScope
from apikeys.keys import key_generate, key_hash, key_is_well_formed, key_prefix
from apikeys.models import NAME_MAX_LENGTH, ApiKey
from apikeys.scopes import scopes_normalize, scopes_unknown
from audit import record as audit_trail
from pinpublisher.errors import InvalidRequest

#: ``last_used_at`` is written at most this often per key: a busy key costs one UPDATE a
#: minute, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyCreated:
    api_key: ApiKey
    #: The whole key. Hand it to the person now: it is stored only as a hash, and nothing
    #: can show it again. (Left out of the repr, so logging the result never logs the key.)
    key: str = field(repr=False)


@sensitive_variables("key")
def api_key_create(
    *,
    tenant: Any,
    owner: Any,
    name: str,
    scopes: list[str] | tuple[str, ...],
    expires_at: datetime | None = None,
    granted_by: ApiKey | None = None,
    now: datetime | None = None,
) -> ApiKeyCreated:
    """Create a key of ``tenant`` acting as ``owner`` and return it with its one showing.

    ``granted_by`` is the key that asks (through the API): it can grant only scopes it has
    and only a life that ends no later than its own. Raises ``InvalidRequest`` naming the
    field (an empty or long name, no or unknown scopes, an expiry in the past, an owner who
    is inactive or not a member of ``tenant``) and ``InsufficientScope`` for a scope
    ``granted_by`` lacks.
    """
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise InvalidRequest("Give the key a name (what it is for).", code="invalid_name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidRequest(f"A key's name has at most {NAME_MAX_LENGTH} characters.", field="name")
    unknown = scopes_unknown(scopes)
    if unknown:
        raise InvalidRequest(f"Unknown scope: {', '.join(unknown)}.", code="invalid_scope", field="scopes")
    scopes = scopes_normalize(scopes)
    if not scopes:
        raise InvalidRequest("Give the key at least one scope.", code="invalid_scope", field="scopes")
    if expires_at is not None and expires_at <= now:
        raise InvalidRequest("The expiry must be in the future.", code="invalid_expiry", field="expires_at")
    membership = getattr(owner, "membership", None)
    if not owner.is_active or membership is None or membership.tenant_id != tenant.pk:
        raise InvalidRequest(f"{owner} is not an active member of {tenant}.", code="invalid_owner", field="owner")
    if granted_by is not None:
        _check_grant(granted_by, scopes=scopes, expires_at=expires_at)
    # The prefix column is unique: two keys drawing the same 9 random characters (about 1 in
    # 10^16 for a pair) fail the second create rather than share a prefix.
    key = key_generate()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            tenant=tenant,
            owner=owner,
            name=name,
            prefix=key_prefix(key),
            hashed_key=key_hash(key),
            scopes=scopes,
            created_at=now,
            expires_at=expires_at,
        )
        audit_trail.record("api_key.create", api_key)
    return ApiKeyCreated(api_key=api_key, key=key)


def _check_grant(granted_by: ApiKey, *, scopes: list[str], expires_at: datetime | None) -> None:
    # A key that could mint a wider or longer-lived key would not be limited at all.
    lacking = [scope for scope in scopes if not granted_by.allows(scope)]
    if lacking:
        raise InsufficientScope(
            f"This API key cannot grant the scope {lacking[0]}, which it does not have itself.", scope=lacking[0]
        )
    if granted_by.expires_at is not None and (expires_at is None or expires_at > granted_by.expires_at):
        raise InvalidRequest(
            f"This API key expires at {granted_by.expires_at.isoformat()}: a key it creates must expire "
            "no later.",
            code="invalid_expiry",
            field="expires_at",
        )


def api_key_revoke(*, api_key_id: int, now: datetime | None = None) -> ApiKey:
    """Revoke the key now; it fails its very next request. Revoking a revoked key changes
    nothing (its first revocation time stays). Raises ApiKey.DoesNotExist."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(pk=api_key_id)
        if api_key.revoked_at is None:
            before = audit_trail.snapshot(api_key)
            api_key.revoked_at = now or timezone.now()
            api_key.save(update_fields=["revoked_at"])
            audit_trail.record("api_key.revoke", api_key, before=before)
    return api_key


@sensitive_variables("key")
def api_key_authenticate(*, key: str, now: datetime | None = None) -> ApiKey:
    """The key ``key`` is, if it may be used now, with its owner, membership and tenant loaded
    (one query), its use recorded (at most once a minute).

    Raises ``ApiKeyRejected``: for a string that is no key or no stored key's, "Invalid API
    key."; once the key is proven (its hash matches), the message says why it no longer works
    (revoked, expired, its owner inactive or gone from the tenant).
    """
    if not key_is_well_formed(key):
        raise ApiKeyRejected("Invalid API key.", reason="malformed")
    prefix = key_prefix(key)
    api_key = selectors.api_key_for_authentication(prefix=prefix)
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, key_hash(key)):
        raise ApiKeyRejected("Invalid API key.", reason="unknown", prefix=prefix)
    now = now or timezone.now()
    if api_key.is_revoked:
        raise ApiKeyRejected("This API key has been revoked.", reason="revoked", prefix=prefix)
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyRejected(
            f"This API key expired at {api_key.expires_at.isoformat()}.", reason="expired", prefix=prefix
        )
    owner = api_key.owner
    membership = getattr(owner, "membership", None)
    if not owner.is_active or membership is None or membership.tenant_id != api_key.tenant_id:
        raise ApiKeyRejected(
            "The owner of this API key is inactive or no longer belongs to its tenant.", reason="owner", prefix=prefix
        )
    api_key_mark_used(api_key=api_key, now=now)
    return api_key


def api_key_mark_used(*, api_key: ApiKey, now: datetime) -> None:
    """Record that the key was used at ``now``, unless that was recorded less than a minute ago
    (by this process or another: the UPDATE is conditional)."""
    stale = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > stale:
        return
    ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=api_key.pk).update(
        last_used_at=now
    )
    api_key.last_used_at = now


def api_keys_revoke_of_owner(*, owner_id: int, now: datetime | None = None) -> int:
    """Revoke every key acting as the user ``owner_id`` (a member removed from the team); keys
    already revoked keep their first revocation time. Returns how many were revoked now."""
    with transaction.atomic():
        keys = list(ApiKey.objects.select_for_update().filter(owner_id=owner_id, revoked_at__isnull=True))
        for api_key in keys:
            before = audit_trail.snapshot(api_key)
            api_key.revoked_at = now or timezone.now()
            api_key.save(update_fields=["revoked_at"])
            audit_trail.record("api_key.revoke", api_key, before=before)
    return len(keys)
