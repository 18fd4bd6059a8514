"""System checks for publishing settings that contradict each other.

An Error here stops ``migrate``, ``runserver`` and ``qcluster`` from starting.
"""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, register

from pinterest.conf import pinterest_settings
from publishing.conf import publishing_settings
from publishing.engine.lease import FRESH_SECONDS


def longest_create_seconds() -> float:
    """The longest one create can keep its pin ``publishing`` under one lease.

    The lease is renewed just before each create; from then on the request may take the
    connect and read timeouts, Pinterest gets the grace period to finish a request whose
    answer was lost, and a 429 is waited out (up to the longest Retry-After we honour)
    before the next renewal.
    """
    longest = (
        pinterest_settings.PINTEREST_CONNECT_TIMEOUT_SECONDS
        + pinterest_settings.PINTEREST_READ_TIMEOUT_SECONDS
        + publishing_settings.PUBLISH_RECONCILE_GRACE_SECONDS
    )
    if publishing_settings.PUBLISH_RATE_LIMIT_RETRIES > 0:
        longest += publishing_settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS
    return longest


@register()
def check_lease_outlasts_a_create(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    """A lease shorter than a create in flight lets the sweep take the pin over, look before
    Pinterest has made it, and call it failed: a person's retry then posts it twice. A dispatcher
    sends a create without renewing a lease it stamped under ``FRESH_SECONDS`` ago
    (``lease.fresh``), so the lease must outlast that age plus the create."""
    longest = longest_create_seconds()
    if publishing_settings.PUBLISH_LEASE_SECONDS > longest + FRESH_SECONDS:
        return []
    return [
        Error(
            f"PUBLISH_LEASE_SECONDS ({publishing_settings.PUBLISH_LEASE_SECONDS}) must exceed the longest time one "
            f"create can be in flight ({longest:g} s = PINTEREST_CONNECT_TIMEOUT_SECONDS "
            f"{pinterest_settings.PINTEREST_CONNECT_TIMEOUT_SECONDS:g} + PINTEREST_READ_TIMEOUT_SECONDS "
            f"{pinterest_settings.PINTEREST_READ_TIMEOUT_SECONDS:g} + PUBLISH_RECONCILE_GRACE_SECONDS "
            f"{publishing_settings.PUBLISH_RECONCILE_GRACE_SECONDS:g} + PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS "
            f"{publishing_settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS:g} while PUBLISH_RATE_LIMIT_RETRIES > 0), "
            f"plus the {FRESH_SECONDS:g} s a just-claimed pin's lease is used without renewal.",
            hint="Raise PUBLISH_LEASE_SECONDS above that, or lower those timeouts and waits.",
            id="publishing.E001",
        )
    ]
