"""What the key rules refuse. Domain errors (``pinpublisher.errors.DomainError``): the API's
one handler maps them; the authentication class turns ``ApiKeyRejected`` into DRF's 401."""

from pinpublisher.errors import DomainError


class ApiKeyRejected(DomainError):
    """The presented key does not authenticate (401).

    ``reason`` is one word for the log (``unknown``, ``revoked``, ``expired``, ``owner``,
    ``malformed``); ``prefix`` is the key's prefix when it had one, never more of the key.
    """

    http_status = 401
    code = "authentication_failed"

    def __init__(self, message: str, *, reason: str, prefix: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.prefix = prefix


class InsufficientScope(DomainError):
    """The key lacks the scope the request needs, or tries to grant one it lacks (403)."""

    http_status = 403
    code = "insufficient_scope"

    def __init__(self, message: str, *, scope: str):
        super().__init__(message)
        #: The scope that was needed.
        self.scope = scope
