"""The seam: `RateLimiter`, what the request path calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tidings_server.ratelimit.core import Decision

__all__ = ["RateLimiter", "most_restrictive"]


class RateLimiter(Protocol):
    """Admits or refuses requests per key under a GCRA limit (a token bucket that starts full).

    Guarantees of every implementation:

    - `hit` never raises for a store failure: it answers from a local fallback instead (the
      implementation's docstring says what precision that has). It raises `InvalidLimitError`
      for a bad `rate`/`burst`/`cost` and `CostExceedsBurstError` when `cost > burst`.
    - A refused hit spends nothing; an admitted hit spends `cost` cells.
    - Over any window of `t` seconds the cells admitted for one key are at most
      `burst + rate * t` plus the implementation's documented slack (0 for `LocalRateLimiter`
      within one process).
    - A request is refused only if admitting it would break that bound (plus, for the shared
      limiter, cells leased to other processes that they have not spent yet).
    - `rate`, `burst` may change between calls for the same key (a plan change): the stored state
      is a time, so the new limit applies from the next hit on.
    - `hit` is safe to call concurrently from many tasks of one event loop.
    """

    async def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> Decision:
        """Spend `cost` cells of `key`'s bucket (`rate` cells per second, at most `burst` at once)
        if they are available; the `Decision` says whether, and carries the HTTP headers."""
        ...

    async def close(self) -> None:
        """Stop background work; later hits are not allowed."""
        ...


def most_restrictive(decisions: Iterable[Decision]) -> Decision:
    """The decision to answer with when a request hit several limits (API key, then tenant): the
    first refusal (the longest `retry_after` among refusals), else the one with least remaining."""
    items = list(decisions)
    if not items:
        raise ValueError("no decisions")
    refused = [d for d in items if not d.allowed]
    if refused:
        return max(refused, key=lambda d: d.retry_after)
    return min(items, key=lambda d: (d.remaining, -d.reset_after))
