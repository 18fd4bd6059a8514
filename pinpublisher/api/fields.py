"""Input fields every app's serializers share."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

NAIVE_DATETIME_MESSAGE = (
    "Give a timezone-aware ISO 8601 datetime, e.g. 2030-05-01T09:00:00+02:00 or "
    "2030-05-01T07:00:00Z: without an offset the moment is ambiguous."
)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry its offset: a naive value is refused, not guessed."""

    default_error_messages = {"naive": NAIVE_DATETIME_MESSAGE}

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class IdField(serializers.IntegerField):
    """A database id: a positive integer that fits the id column (so no overflow reaches SQL)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)
