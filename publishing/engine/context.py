"""What publishing to one Pinterest account needs, read once per connection."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pinterest.client import PinterestClient
from pinterest.models import PinterestConnection
from pinterest.services.tokens import connection_client


@dataclass
class Patience:
    """How long a person's request may still wait, in all, for pacing, a 429 and video processing
    (``PUBLISH_NOW_MAX_WAIT_SECONDS``). Spent is the longer of the time gone by and the sleeps
    granted, so a wait is bounded whether the clock or the sleeps run ahead."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    slept: float = 0.0
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float:
        return max(0.0, self.seconds - max(self.clock() - self.started, self.slept))

    def allows(self, seconds: float) -> bool:
        return seconds <= self.remaining()


@dataclass
class Context:
    connection: PinterestConnection
    client: PinterestClient
    sleep: Callable[[float], None] = field(default=time.sleep)
    #: A person waits for this publish (publish now): no wait goes past it. None: a dispatcher.
    patience: Patience | None = None

    def may_wait(self, seconds: float) -> bool:
        return self.patience is None or self.patience.allows(seconds)

    def max_wait(self) -> float | None:
        """Seconds this publish may still wait (None: no bound)."""
        return None if self.patience is None else self.patience.remaining()

    def wait(self, seconds: float) -> None:
        """Sleep for pacing, a 429 or video processing, out of the person's patience."""
        if self.patience is not None:
            self.patience.slept += seconds
        self.sleep(seconds)


def context_for(connection: PinterestConnection) -> Context:
    """Read the connection's token once (refreshing it just in time); raises ConnectionUnusable."""
    return Context(connection=connection, client=connection_client(connection=connection))
