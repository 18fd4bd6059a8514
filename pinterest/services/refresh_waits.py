"""How long a token refresh waits: between the tries of one refresh (the backoff, Pinterest's
Retry-After), how much of that a person affords (``TOKEN_REFRESH_MAX_WAIT_SECONDS``), and
when the retry job tries again after a refresh gave up for a passing reason."""

from dataclasses import dataclass, field
from datetime import timedelta

from pinterest.conf import pinterest_settings
from pinterest.errors import PinterestError, PinterestRateLimitError

#: After a transient refresh failure, the next try waits this long, doubled per failure, capped.
REFRESH_RETRY_FIRST = timedelta(minutes=5)
REFRESH_RETRY_MAX = timedelta(hours=2)

#: The longest Retry-After a background refresh (the jobs) waits out in line; a longer one ends
#: the refresh and books the retry job for when Pinterest said.
BACKGROUND_RETRY_AFTER_MAX = 60.0


def refresh_retry_delay(failures: int) -> timedelta:
    """The wait before the next try after ``failures`` transient failures in a row (1, 2, ...)."""
    return min(REFRESH_RETRY_MAX, REFRESH_RETRY_FIRST * 2 ** max(0, failures - 1))


@dataclass
class RefreshPatience:
    """How long a person may still wait, in all, for a refresh's retries (Pinterest's Retry-After
    and the backoff): ``TOKEN_REFRESH_MAX_WAIT_SECONDS`` by default. One is shared by every
    connection of an admin action, so the bound holds for the whole request. Counts the sleeps
    granted; each call to Pinterest is bounded by the client's timeouts."""

    seconds: float = field(default_factory=lambda: float(pinterest_settings.TOKEN_REFRESH_MAX_WAIT_SECONDS))
    slept: float = 0.0

    def allows(self, seconds: float) -> bool:
        return self.slept + seconds <= self.seconds


def retry_wait(exc: PinterestError, attempt: int) -> float:
    """Seconds before try ``attempt + 1``: the backoff doubled per try, or Pinterest's Retry-After when longer."""
    wait = float(pinterest_settings.TOKEN_REFRESH_BACKOFF_SECONDS) * 2**attempt
    if isinstance(exc, PinterestRateLimitError) and exc.retry_after is not None:
        wait = max(wait, exc.retry_after)
    return wait


def affordable(wait: float, patience: RefreshPatience | None) -> bool:
    """Whether a refresh waits ``wait`` seconds in line: within a person's patience, or for the jobs
    up to ``BACKGROUND_RETRY_AFTER_MAX``."""
    return patience.allows(wait) if patience is not None else wait <= BACKGROUND_RETRY_AFTER_MAX
