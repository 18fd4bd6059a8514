"""What publishing to one Pinterest account needs, read once per connection, and who publishes."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class Caller:
    """Who publishes a claimed pin, decided once for every step (pacing, a video's media, the create).

    - A person waiting on the answer (``Caller.person``: publish now) waits for the account's
      slot, a 429 and a video's processing out of their ``patience``; a wait longer than that
      gives the pin back untouched, to be handed to the dispatchers; what Pinterest cannot take
      now ends the pin in ``error`` with the reason (the person is told).
    - A dispatcher (``Caller.dispatcher``) took the account's pacing slot before its claim
      (``holds_slot``): a 429 sends the pin back with the wait, and the dispatcher never sleeps on
      one account. A pin it cannot send now goes back on the schedule (``releases_when_stopped``),
      except a bulk batch's: its person asked for now, and is told through the batch's item.
    """

    patience: Patience | None = None
    holds_slot: bool = False
    releases_when_stopped: bool = False

    @classmethod
    def person(cls, patience: Patience) -> "Caller":
        return cls(patience=patience)

    @classmethod
    def dispatcher(cls, *, for_batch: bool = False) -> "Caller":
        return cls(holds_slot=True, releases_when_stopped=not for_batch)

    @property
    def waits_for_answer(self) -> bool:
        """A person waits for this publish: no wait goes past their patience."""
        return self.patience is not None

    def may_wait(self, seconds: float) -> bool:
        return self.patience is None or self.patience.allows(seconds)

    def max_wait(self) -> float | None:
        """Seconds this publish may still wait (None: no bound)."""
        return None if self.patience is None else self.patience.remaining()

    def slot_spent(self) -> "Caller":
        """The same caller once a wait (a video's processing) took its slot's moment away."""
        return replace(self, holds_slot=False)

    def wait(self, seconds: float, *, sleep: Callable[[float], None]) -> None:
        """Sleep for pacing, a 429 or video processing, out of a person's patience."""
        if self.patience is not None:
            self.patience.slept += seconds
        sleep(seconds)


@dataclass
class Context:
    connection: PinterestConnection
    client: PinterestClient
    sleep: Callable[[float], None] = field(default=time.sleep)


def context_for(connection: PinterestConnection) -> Context:
    """Read the connection's token once (refreshing it just in time); raises ConnectionUnusable."""
    return Context(connection=connection, client=connection_client(connection=connection))
