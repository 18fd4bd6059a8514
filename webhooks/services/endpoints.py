"""A tenant's webhook endpoints: register, change, delete, rotate the signing secret.

The signing secret is generated here, stored encrypted, and handed back once (at creation
and at each rotation); nothing reads it back to a person afterwards. A rotation keeps the
previous secret signing beside the new one for ``WEBHOOKS_SECRET_OVERLAP_HOURS``, so a
receiver can switch without losing a delivery.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from publishing.models import Tenant
from webhooks.addresses import url_problem
from webhooks.conf import webhooks_settings
from webhooks.errors import EndpointLimitReached
from webhooks.models import Endpoint, EndpointSecret, EventType
from webhooks.selectors import overlap_ends_at
from webhooks.services.delivery import deliveries_send_pending_soon

URL_MAX_LENGTH = 2048
SECRET_PREFIX = "whsec_"
EDITABLE_FIELDS = ("url", "description", "event_types", "is_active")


@dataclass(frozen=True)
class EndpointCreated:
    endpoint: Endpoint
    #: Shown once; only its encrypted form is kept.
    secret: str


@dataclass(frozen=True)
class SecretRotated:
    endpoint: Endpoint
    secret: str
    #: Until when the previous secret keeps signing beside the new one.
    previous_expires_at: datetime | None


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _well_formed(url: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _check_url(url: Any, errors: dict[str, list[str]]) -> str:
    url = str(url or "").strip()
    problem: str | None
    if not url:
        problem = "This field may not be blank."
    elif len(url) > URL_MAX_LENGTH:
        problem = f"The URL is longer than {URL_MAX_LENGTH} characters."
    elif not _well_formed(url):
        problem = "Enter a valid URL, e.g. https://hooks.example.com/pinpublisher."
    else:
        problem = url_problem(url)
    if problem:
        errors.setdefault("url", []).append(problem)
    return url


def _check_event_types(event_types: Any, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(event_types, (list, tuple)):
        errors.setdefault("event_types", []).append("Give a list of event types (empty: every type).")
        return []
    unknown = [str(name) for name in event_types if name not in EventType.values]
    if unknown:
        errors.setdefault("event_types", []).append(
            f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(EventType.values)}."
        )
    # Each once, in the documented order: a stable value whatever order was sent.
    return [name for name in EventType.values if name in event_types]


def endpoint_create(
    *, tenant: Tenant, url: str, event_types: list[str] | tuple = (), description: str = "", is_active: bool = True,
    now: datetime | None = None,
) -> EndpointCreated:
    """Register an endpoint with a new signing secret; returns the secret (once).

    Raises ValidationError naming ``url`` (not https, a local address) or ``event_types``,
    and EndpointLimitReached past WEBHOOKS_MAX_ENDPOINTS_PER_TENANT.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    url = _check_url(url, errors)
    event_types = _check_event_types(event_types, errors)
    if errors:
        raise ValidationError(errors)
    secret = _new_secret()
    with transaction.atomic():
        # The tenant's row serializes concurrent registrations, so the limit holds.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        limit = webhooks_settings.WEBHOOKS_MAX_ENDPOINTS_PER_TENANT
        if Endpoint.objects.filter(tenant=tenant).count() >= limit:
            raise EndpointLimitReached(f"A tenant may have at most {limit} webhook endpoints; delete one first.")
        endpoint = Endpoint.objects.create(
            tenant=tenant, url=url, event_types=event_types, description=str(description or "").strip(),
            is_active=is_active, disabled_at=None if is_active else now,
        )
        EndpointSecret.objects.create(endpoint=endpoint, secret=secret, created_at=now)
        audit_trail.record("webhook.create", endpoint, changes={
            **audit_trail.diff({}, audit_trail.snapshot(endpoint)), "secret": [audit_trail.SECRET, audit_trail.CHANGED],
        })
    return EndpointCreated(endpoint=endpoint, secret=secret)


def endpoint_update(*, endpoint: Endpoint, data: dict[str, Any], now: datetime | None = None) -> Endpoint:
    """Change what ``data`` names (url, description, event_types, is_active).

    Enabling an endpoint forgets its failures (pending deliveries are sent again); disabling
    it stops deliveries (they wait, pending). Raises ValidationError like ``endpoint_create``.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "url" in data:
        changes["url"] = _check_url(data["url"], errors)
    if "event_types" in data:
        changes["event_types"] = _check_event_types(data["event_types"], errors)
    if "description" in data:
        changes["description"] = str(data["description"] or "").strip()
    if errors:
        raise ValidationError(errors)
    if "is_active" in data and bool(data["is_active"]) != endpoint.is_active:
        if data["is_active"]:
            changes.update(is_active=True, failing_since=None, disabled_at=None, disabled_reason="")
        else:
            changes.update(is_active=False, disabled_at=now, disabled_reason="Disabled by a person.")
    if changes:
        before = audit_trail.snapshot(endpoint)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        with transaction.atomic():
            endpoint.save(update_fields=[*changes, "updated_at"])
            audit_trail.record("webhook.update", endpoint, before=before)
    if changes.get("is_active"):
        deliveries_send_pending_soon()
    return endpoint


def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Delete the endpoint with its secrets, deliveries and attempts (the events stay)."""
    with transaction.atomic():
        audit_trail.record("webhook.delete", endpoint, before=audit_trail.snapshot(endpoint), after=None)
        endpoint.delete()


def endpoint_rotate_secret(*, endpoint: Endpoint, now: datetime | None = None) -> SecretRotated:
    """A new signing secret; the current one keeps signing for WEBHOOKS_SECRET_OVERLAP_HOURS.

    Secrets already past their overlap are deleted. Returns the new secret (once).
    """
    now = now or timezone.now()
    overlap_ends = now + timedelta(hours=float(webhooks_settings.WEBHOOKS_SECRET_OVERLAP_HOURS))
    secret = _new_secret()
    with transaction.atomic():
        Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        EndpointSecret.objects.filter(endpoint=endpoint, expires_at__lte=now).delete()
        EndpointSecret.objects.filter(endpoint=endpoint, expires_at__isnull=True).update(expires_at=overlap_ends)
        EndpointSecret.objects.create(endpoint=endpoint, secret=secret, created_at=now)
        audit_trail.record("webhook.rotate_secret", endpoint,
                           changes={"secret": [audit_trail.SECRET, audit_trail.CHANGED]})
    return SecretRotated(
        endpoint=endpoint, secret=secret, previous_expires_at=overlap_ends_at(endpoint=endpoint, now=now)
    )
