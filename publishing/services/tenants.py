"""Tenants, their owners, and the owners' first API keys."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from apikeys.scopes import ALL_SCOPES
from apikeys.services import api_key_create
from audit import record as audit_trail
from pinpublisher.errors import InvalidRequest
from publishing.models import Membership, Tenant

OWNER_KEY_NAME = "Owner's key (made with the tenant)"


class TenantCreateError(InvalidRequest):
    """The tenant or its owner could not be created; nothing was written (a domain error, 400)."""


@dataclass(frozen=True)
class TenantCreated:
    tenant: Tenant
    owner: User
    password: str
    password_generated: bool
    #: The owner's first API key, with every scope: shown once, stored only as a hash.
    api_key: str


def tenant_create(
    *, name: str, owner_username: str, email: str = "", password: str | None = None
) -> TenantCreated:
    """Create a tenant, its owner user (staff, so it can use the admin) and an API key with every
    scope acting as the owner (returned once).

    All or nothing: an existing tenant name or username raises TenantCreateError and
    writes nothing. Without ``password`` a random one is generated and returned once.
    """
    name = name.strip()
    owner_username = owner_username.strip()
    if not name:
        raise TenantCreateError("Tenant name must not be empty.")
    if not owner_username:
        raise TenantCreateError("Owner username must not be empty.")
    if password is not None and not password:
        raise TenantCreateError("Password must not be empty.")
    User = get_user_model()
    generated = password is None
    password = password or secrets.token_urlsafe(16)
    with transaction.atomic():
        existing = Tenant.objects.filter(name__iexact=name).first()
        if existing:
            raise TenantCreateError(f"A tenant named '{existing.name}' already exists.")
        existing_user = User.objects.filter(username__iexact=owner_username).first()
        if existing_user:
            raise TenantCreateError(f"A user named '{existing_user.username}' already exists.")
        tenant = Tenant.objects.create(name=name)
        audit_trail.record("tenant.create", tenant, tenant_id=tenant.pk)
        owner = User.objects.create_user(
            username=owner_username, email=email, password=password, is_staff=True
        )
        Membership.objects.create(user=owner, tenant=tenant, role=Membership.Role.OWNER)
        created_key = api_key_create(tenant=tenant, owner=owner, name=OWNER_KEY_NAME, scopes=ALL_SCOPES)
    return TenantCreated(
        tenant=tenant,
        owner=owner,
        password=password,
        password_generated=generated,
        api_key=created_key.key,
    )
