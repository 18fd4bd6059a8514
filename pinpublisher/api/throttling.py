"""The throttles of every tenant endpoint: per user and per API key, as sliding windows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView


class SlidingWindowRateThrottle(SimpleRateThrottle):
    """At most N requests a period per client, counted as a sliding window: this fixed window's
    count plus the previous window's, weighted by the part of it the sliding window still covers.

    One small cache entry per client, ``(window, previous count, current count)``, read and
    written once a request whatever the rate. DRF's own throttle keeps the time of every request
    of the period and moves that list in and out of the cache on each request, which costs more
    the busier a client is; each request now passes two throttles (per user, per key). Like
    DRF's, the read and the write are not one atomic step: processes racing may let a few
    requests too many through. Reads its rate when used, so settings changes apply.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, self.into = divmod(self.now, self.duration)
        stored_window, previous, current = self.cache.get(self.key) or (None, 0, 0)
        if stored_window != window:
            # A new window: the one stored is the previous one only if it is just before.
            previous, current = (current if stored_window == window - 1 else 0), 0
        self.previous, self.current = previous, current
        if previous * (1 - self.into / self.duration) + current + 1 > self.num_requests:
            return False
        # Kept for two periods: the next window still weighs this one.
        self.cache.set(self.key, (window, previous, current + 1), 2 * self.duration)
        return True

    def wait(self) -> float | None:
        """Seconds until one more request fits, if no other comes meanwhile (Retry-After)."""
        room = self.num_requests - 1
        if room < 0:
            return None  # a rate of 0: never
        if self.current > room:
            # Not in this window: in the next one, once this window's count weighs little enough.
            return self.duration - self.into + self.duration * (1 - room / self.current)
        return max(0.0, self.duration * (1 - self.into / self.duration - (room - self.current) / self.previous))


class UserRateThrottle(SlidingWindowRateThrottle, DrfUserRateThrottle):
    """Per user: every request of the user, whichever key or session (``API_THROTTLE_USER_RATE``)."""


class ApiKeyRateThrottle(SlidingWindowRateThrottle):
    """Per API key (``API_THROTTLE_KEY_RATE``): each key has its own count, so one busy integration
    is held back on its own key. A request without a key (a session) is not counted here."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        # ``request.auth`` is the key the request presented (a row, so it has a ``pk``); a
        # session has none. Read by shape, so the project's plumbing imports no app.
        ident = getattr(request.auth, "pk", None)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
