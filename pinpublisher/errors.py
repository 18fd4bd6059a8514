"""The root of every domain error, and the two kinds the apps share.

Services raise subclasses of ``DomainError``; each class says its HTTP status and code,
and ``pinpublisher.api.exception_handler`` turns any of them into the API's error body
in one place, so no view picks a status itself. Pinterest's own errors
(``pinterest.errors.PinterestError``) are domain errors too (502). Configuration errors
deliberately sit outside this root (``ImproperlyConfigured``), as anymail does, so a
broad ``except DomainError`` never hides a missing secret; one an API request meets is
``ServiceNotConfigured``, answered 503 with its ``code``. The root lives here, outside
both apps, so ``pinterest`` and ``publishing`` can each raise them without importing the
other.
"""


from django.core.exceptions import ImproperlyConfigured


class ServiceNotConfigured(ImproperlyConfigured):
    """A service cannot run as configured (a missing app secret): the operator's problem, not
    the caller's. Outside the domain root on purpose; the API answers it 503 with ``code``."""

    http_status = 503
    code = "not_configured"


class DomainError(Exception):
    """A rule of the domain refused the request; the message is for a person."""

    http_status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        #: The input field the error is about (the API lists it under ``fields``).
        self.field = field

    @property
    def public_message(self) -> str:
        """What the API and the admin show a person."""
        return str(self)


class InvalidRequest(DomainError):
    """The object cannot be used as it is (400)."""


class Conflict(DomainError):
    """The object's current state forbids this (409)."""

    http_status = 409
    code = "conflict"
