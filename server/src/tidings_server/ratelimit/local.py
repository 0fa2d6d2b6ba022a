"""`LocalRateLimiter`: exact GCRA in one process's memory."""

from __future__ import annotations

import time

from tidings_server.ratelimit.core import Buckets, Clock, Decision

__all__ = ["LocalRateLimiter"]


class LocalRateLimiter:
    """A `RateLimiter` whose state lives in this process only.

    Exact within the process (slack 0, no I/O, a few µs per hit); N processes admit up to N times
    the limit. Used alone in single-process deployments and tests, and as the shared limiter's
    fallback while NATS is unreachable.
    """

    def __init__(self, *, clock: Clock = time.monotonic_ns, max_keys: int = 100_000) -> None:
        self._buckets = Buckets(clock, max_keys=max_keys)
        self._closed = False

    async def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> Decision:
        return self.hit_now(key, rate=rate, burst=burst, cost=cost)

    def hit_now(self, key: str, *, rate: float, burst: int, cost: int = 1) -> Decision:
        """The synchronous `hit` (there is nothing to wait for)."""
        if self._closed:
            raise RuntimeError("rate limiter is closed")
        return self._buckets.hit(key, rate=rate, burst=burst, cost=cost)

    async def close(self) -> None:
        self._closed = True
