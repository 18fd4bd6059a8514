"""The webhooks app's refusals; each maps to HTTP through ``pinpublisher.api``."""

from pinpublisher.errors import Conflict


class EndpointDisabled(Conflict):
    """Nothing is sent to a disabled endpoint (HTTP 409): enable it first."""

    code = "endpoint_disabled"


class EndpointLimitReached(Conflict):
    """The tenant has as many endpoints as it may (HTTP 409)."""

    code = "endpoint_limit_reached"
