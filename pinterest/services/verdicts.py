"""What a Pinterest error means for the account that made the call: a verdict.

The client raises a small tree of errors (``pinterest.errors``); what each one asks of the
caller is decided here, once, so a caller handles one value instead of judging error classes,
status codes and headers itself:

- ``WAIT``: rate limited (429). The account waits ``wait`` seconds (Pinterest's Retry-After,
  else the backoff the caller passes in) and may call again.
- ``SPAM_COOL_DOWN``: a 429 from Pinterest's anti-spam system, not a rate limit (Pinterest's
  own quickstart code treats it apart): the account cools down, never retried in a loop.
- ``RECONNECT``: the access token was rejected (401): a person reconnects the account.
- ``UNREACHABLE``: the request never reached Pinterest (refused, DNS, a TLS handshake that
  failed): nothing happened there; the call may be made again later.
- ``UNKNOWN``: the request may have reached Pinterest and the answer was lost (5xx, a read
  timeout, a connection lost after sending). Pinterest has no idempotency key, so a write is
  resolved by looking, never by sending it again.
- ``GIVE_UP``: Pinterest (or its media upload host) refused this request (400, 403, 404, an
  upload's 4xx): sending it again would be refused the same way; ``message`` says why.
"""

from dataclasses import dataclass
from enum import StrEnum

from pinterest.errors import (
    PinterestAuthError,
    PinterestConnectionError,
    PinterestError,
    PinterestRateLimitError,
    PinterestUploadRefused,
)


class Kind(StrEnum):
    WAIT = "wait"
    SPAM_COOL_DOWN = "spam_cool_down"
    RECONNECT = "reconnect"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Verdict:
    """What an error means for the account. ``message`` is what a person reads (Pinterest's own
    words, without the plumbing); ``wait`` the seconds to wait (``WAIT`` only, else 0);
    ``upload_host``: the refusal came from the media upload host, not from Pinterest's API."""

    kind: Kind
    message: str
    wait: float = 0.0
    upload_host: bool = False


def verdict_for(exc: PinterestError, *, backoff: float) -> Verdict:
    """The verdict on ``exc``; ``backoff``: the seconds a rate limit waits when Pinterest's answer
    names none (a 429 without Retry-After)."""
    message = exc.user_message
    if isinstance(exc, PinterestRateLimitError):
        if exc.is_spam_block:
            return Verdict(Kind.SPAM_COOL_DOWN, message)
        return Verdict(Kind.WAIT, message, wait=backoff if exc.retry_after is None else exc.retry_after)
    if isinstance(exc, PinterestAuthError):
        return Verdict(Kind.RECONNECT, message)
    if isinstance(exc, PinterestConnectionError):
        return Verdict(Kind.UNREACHABLE, message)
    if exc.outcome_unknown:
        return Verdict(Kind.UNKNOWN, message)
    return Verdict(Kind.GIVE_UP, message, upload_host=isinstance(exc, PinterestUploadRefused))
