"""Reads of API keys: a tenant's keys, the key a request presents, a tenant by name."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from apikeys.models import ApiKey

# Reached through the key's foreign key, so this app never imports publishing's modules.
Tenant: Any = ApiKey._meta.get_field("tenant").related_model
Membership: Any = Tenant._meta.get_field("memberships").related_model


def api_keys_for_tenant(*, tenant: Any) -> QuerySet[ApiKey]:
    """Every key of ``tenant``, revoked and expired ones too, newest first, with the owner."""
    return ApiKey.objects.filter(tenant=tenant).select_related("owner")


def api_key_for_authentication(*, prefix: str) -> ApiKey | None:
    """The key with ``prefix`` and, in the same query, its owner, the owner's membership and
    tenant (what every authenticated request reads next); None when there is none."""
    try:
        return ApiKey.objects.select_related("owner__membership__tenant").get(prefix=prefix)
    except ApiKey.DoesNotExist:
        return None


def tenant_by_name(*, name: str) -> Any:
    return Tenant.objects.filter(name__iexact=name.strip()).first()


def tenant_first_owner(*, tenant: Any) -> Any:
    """The tenant's earliest active owner: whom a key made from the command line acts as."""
    return (
        get_user_model()
        .objects.filter(membership__tenant=tenant, membership__role=Membership.Role.OWNER, is_active=True)
        .order_by("membership__created_at", "pk")
        .first()
    )


def user_by_username(*, username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def users_who_may_own_keys(*, tenant_id: int | None = None) -> QuerySet:
    """Active users who belong to a tenant (to ``tenant_id`` when given): a key's possible owners."""
    users = get_user_model().objects.filter(is_active=True, membership__isnull=False)
    if tenant_id is not None:
        users = users.filter(membership__tenant_id=tenant_id)
    return users.select_related("membership__tenant").order_by("membership__tenant__name", "username")
