"""When to retry and how long to wait: exponential backoff with full jitter, `Retry-After` first."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Request timeout, rate limited, and server errors: worth trying again unchanged.
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries a call that failed for a reason that may pass."""

    max_retries: int = 3  # retries after the first attempt; 0 disables retrying
    base_delay: float = 0.25  # seconds: the cap of the first backoff; it doubles on each retry
    max_delay: float = 8.0  # no backoff is longer
    # A `Retry-After` longer than this is cut to it, so a confused proxy cannot park the caller.
    max_retry_after: float = 60.0
    # How to wait; a test passes one that records instead of sleeping.
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def delay(self, retry: int, retry_after: float | None, unit: float | None = None) -> float:
        """Seconds before retry number `retry` (0-based).

        `Retry-After` when the server gave one; else a uniform draw in
        `[0, min(max_delay, base_delay * 2**retry))` — "full jitter", so clients that failed
        together do not come back together. `unit` fixes the draw (in [0, 1)) for tests.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        cap = min(self.max_delay, self.base_delay * (2.0 ** min(retry, 32)))
        draw = random.random() if unit is None else unit  # noqa: S311 - jitter, not a secret
        return cap * draw


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header: delay-seconds or an HTTP-date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
