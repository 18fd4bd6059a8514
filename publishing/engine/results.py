"""What publishing tells its callers: the result of one pin, the refusals, the messages."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pinpublisher.errors import Conflict, InvalidRequest
from publishing.models import Pin, PinStatus
from publishing.rules import MSG_NO_BOARD, MSG_NO_CONNECTION, MSG_NO_IMAGE

__all__ = ["MSG_NO_BOARD", "MSG_NO_CONNECTION", "MSG_NO_IMAGE"]  # and the names defined below

PIN_URL = "https://www.pinterest.com/pin/{id}/"
MSG_IMAGE_MISSING = "The pin's image file is missing from storage; upload it again"
MSG_IMAGE_UNREADABLE = "The pin's image file could not be read from storage; upload it again"
MSG_INTERRUPTED = "Publishing was interrupted; the pin was not created on Pinterest"
MSG_NOT_SENT = "Publishing was interrupted before the pin was sent to Pinterest; publish it again"
UNCHECKED = "Whether Pinterest created the pin could not be checked"
MSG_NOT_CREATED = (
    "Pinterest did not create the pin: its answer was lost ({reason}) and no pin of this content "
    "appeared on the board since it was sent. Publish it again when Pinterest is available."
)
MSG_LOOK_PENDING = (
    "Pinterest's answer was lost and the board could not be checked yet; the pin will be checked "
    "again automatically"
)
MSG_UNEXPECTED = (
    "An unexpected error stopped publishing this pin before it was sent to Pinterest "
    "(reference: pin {pin_id}); publish it again, and tell support if it happens again"
)
MSG_UNEXPECTED_SENT = (
    "An unexpected error interrupted publishing after the pin was sent; it will be checked "
    "on the board automatically"
)
MSG_MATCHED_ANOTHERS = (
    "This pin was matched to Pinterest pin {id} after a lost answer, but Pinterest has since "
    "confirmed that pin for another of your pins: whether this one was created is unknown. "
    "Look at the board before publishing it again."
)
MSG_HELD_ELSEWHERE = "The pin is being handled by another publisher"
MSG_ACCOUNT_WAITS = (
    "The Pinterest account {account} takes its next pin at {at:%Y-%m-%d %H:%M:%S} UTC (Pinterest asked it to "
    "wait, or its pacing), later than publish-now waits"
)
MSG_HANDED_OFF = "{why}: handed to the background publishers, expected from {at:%Y-%m-%d %H:%M:%S} UTC"
MSG_NOT_HANDED_OFF = (
    "{why}: the pin was given back untouched, but it could not be handed to the background publishers "
    "and is not queued; publish it again"
)


class PinValidationError(InvalidRequest):
    """The pin cannot be published as it is; nothing was changed and nothing was called."""

    code = "pin_invalid"


class PinNotPublishable(Conflict):
    """The pin is already publishing or published (someone else holds or finished it)."""

    code = "pin_not_publishable"

    def __init__(self, message: str, *, status: str):
        super().__init__(message)
        self.status = status


def refusal(pin_id: UUID | str) -> PinNotPublishable:
    """Why a claim on the pin was lost, from its stored status."""
    status = Pin.objects.filter(pk=pin_id).values_list("status", flat=True).first() or "deleted"
    if status == PinStatus.PUBLISHED:
        return PinNotPublishable("Pin is already published", status=status)
    if status == PinStatus.PUBLISHING:
        return PinNotPublishable("Pin is already being published", status=status)
    return PinNotPublishable(f"Pin cannot be published from status '{status}'", status=status)


class Stop:
    """Why publishing more pins of this connection now would fail the same way."""

    RATE_LIMITED = "rate_limited"  # Pinterest kept answering 429 past the retries
    CONNECTION_REJECTED = "connection_rejected"  # 401: the connection is now inactive
    UNREACHABLE = "unreachable"  # refused, DNS: nothing was sent
    SPAM_BLOCKED = "spam_blocked"  # Pinterest's anti-spam system blocked the account for a while
    REFRESH_FAILING = "refresh_failing"  # the token expired and could not be refreshed yet


@dataclass(frozen=True)
class PublishResult:
    pin_id: UUID
    success: bool
    status: str
    pinterest_pin_id: str = ""
    pinterest_pin_url: str = ""
    error: str = ""
    #: A Stop value when the connection should not be used again in this run, else "".
    stop: str = ""
    #: Seconds Pinterest asked the account to wait (a 429 sent back by a dispatcher).
    retry_after: float | None = None
    #: A person would have waited longer than ``PUBLISH_NOW_MAX_WAIT_SECONDS`` (pacing, a 429, a
    #: video's processing): the pin went back untouched, for publish-now to hand it on.
    too_long_to_wait: bool = False
    #: Publish-now handed the pin to the dispatchers: the batch of one that follows it...
    batch_id: UUID | None = None
    #: ...and when it is expected (the account's next slot, or now).
    expected_at: datetime | None = None

    @property
    def stops_connection(self) -> bool:
        return bool(self.stop)

    @property
    def rate_limited(self) -> bool:
        return self.stop == Stop.RATE_LIMITED

    def as_dict(self) -> dict:
        return {
            "success": self.success,
            "pinterest_pin_id": self.pinterest_pin_id or None,
            "pinterest_pin_url": self.pinterest_pin_url or None,
            "error": self.error or None,
        }
