"""The webhooks app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads the names below from the environment (``None`` when unset);
the defaults live here, once. Asking for a name this app does not own raises AttributeError.
Values are read on every access, so ``override_settings`` and pytest-django's ``settings``
fixture work as usual.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: Development and tests only: deliver to loopback, private and link-local addresses and
    #: accept http:// URLs. None: on when DEBUG is on. Production leaves it off (a check warns).
    "WEBHOOKS_ALLOW_LOCAL_ADDRESSES": None,
    #: The whole of one POST: resolving, connecting, TLS, sending and the answer to its last
    #: byte. Enforced whatever the endpoint does (a byte every few seconds gains nothing).
    "WEBHOOKS_DELIVERY_DEADLINE_SECONDS": 10.0,
    #: Bounds on single waits inside the deadline: to connect, and for each read.
    "WEBHOOKS_CONNECT_TIMEOUT_SECONDS": 3.0,
    "WEBHOOKS_READ_TIMEOUT_SECONDS": 10.0,
    #: A delivery is retried (exponential backoff with jitter) this long after its event, then given up.
    "WEBHOOKS_RETRY_HOURS": 72.0,
    #: An endpoint whose deliveries have all failed for this long is disabled and its owners emailed.
    "WEBHOOKS_DISABLE_AFTER_HOURS": 72.0,
    #: The first retry waits about this long; each next one twice as long, up to the cap.
    "WEBHOOKS_BACKOFF_BASE_SECONDS": 30.0,
    "WEBHOOKS_BACKOFF_MAX_SECONDS": 6 * 3600.0,
    #: After a rotation the previous secret keeps signing (both signatures sent) this long.
    "WEBHOOKS_SECRET_OVERLAP_HOURS": 24.0,
    "WEBHOOKS_MAX_ENDPOINTS_PER_TENANT": 20,
    #: Deliveries one worker claims at a time; they are sent one after the other.
    "WEBHOOKS_CLAIM_BATCH": 20,
    #: A delivery task stops claiming after this long (the schedule and new events start others).
    "WEBHOOKS_TASK_BUDGET_SECONDS": 50.0,
}

#: Django's own settings this app reads, as they are (Django gives each a value, so no default here).
DJANGO_NAMES = frozenset({"DEBUG"})

#: The answer's first bytes kept with each attempt; no more is read.
RESPONSE_KEPT_BYTES = 1024


class WebhooksSettings:
    def __getattr__(self, name: str) -> Any:
        if name in DJANGO_NAMES:
            return getattr(settings, name)
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the webhooks app")
        value = getattr(settings, name, None)
        if value is None:
            value = DEFAULTS[name]
        if name == "WEBHOOKS_ALLOW_LOCAL_ADDRESSES" and value is None:
            value = bool(self.DEBUG)
        return value

    @property
    def retry_for(self) -> timedelta:
        """How long after its event (or a redelivery) a delivery is retried."""
        return timedelta(hours=float(self.WEBHOOKS_RETRY_HOURS))

    @property
    def claim_lease_seconds(self) -> float:
        """How long a claimed batch is held: every delivery of it taking its whole deadline, and a
        margin. A worker that dies leaves its deliveries to be sent again after this."""
        return self.WEBHOOKS_CLAIM_BATCH * float(self.WEBHOOKS_DELIVERY_DEADLINE_SECONDS) + 60


webhooks_settings = WebhooksSettings()
