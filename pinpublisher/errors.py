"""Domain errors shared by the apps, and how the API presents them.

Services raise these; ``pinpublisher.api.exception_handler`` maps every one of them to
its HTTP status in one place, so no view checks a rule or picks a status itself. They
live here, outside both apps, so ``pinterest`` and ``publishing`` can each raise them
without importing the other.
"""


class DomainError(Exception):
    """A rule of the domain refused the request; the message is for a person."""

    http_status = 400
    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        if code:
            self.code = code
        #: The input field the error is about (the API lists it under ``fields``).
        self.field = field


class InvalidRequest(DomainError):
    """The object cannot be used as it is (400)."""


class Conflict(DomainError):
    """The object's current state forbids this (409)."""

    http_status = 409
    code = "conflict"
