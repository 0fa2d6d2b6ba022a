"""GCRA, sans I/O: the arithmetic every limiter of this package shares.

The generic cell rate algorithm keeps ONE number per key, the theoretical arrival time (TAT): the
instant at which the bucket would be full again if nothing else arrived. With the emission interval
`T = 1/rate` and the tolerance `tau = burst * T`, a request of `cost` cells arriving at `now` is
conforming iff `max(TAT, now) + cost * T - tau <= now`; if so `TAT := max(TAT, now) + cost * T`.
This is exactly a token bucket of capacity `burst`, refilled at `rate` tokens per second, that
starts full — but the state is a single timestamp, which is what makes compare-and-set on a shared
store cheap (`shared.SharedRateLimiter`).

Times are integer nanoseconds from an injected clock, so one TAT is meaningful on every node that
shares the clock's epoch (wall clock for shared state, a monotonic clock for local state) and float
rounding never accumulates in the state: each grant rounds its own increment to the nearest
nanosecond. `CELL_TOLERANCE` absorbs that rounding when a request lands exactly on a boundary.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from tidings_server.ratelimit.errors import CostExceedsBurstError, InvalidLimitError

__all__ = [
    "MAX_RATE",
    "NS_PER_SECOND",
    "Buckets",
    "Clock",
    "Decision",
    "Grant",
    "decide",
    "reserve",
    "validate",
]

NS_PER_SECOND = 1_000_000_000
# Above a million cells per second the emission interval is under a microsecond and nanosecond
# timestamps stop being precise enough; no API key or tenant is limited anywhere near that.
MAX_RATE = 1_000_000.0
# A request may be admitted up to a thousandth of an emission interval early: that absorbs the
# sub-nanosecond rounding of each grant (otherwise a request landing exactly when its cell frees
# could be refused), and costs at most 0.001 cell of precision.
CELL_TOLERANCE = 1e-3

Clock = Callable[[], int]
"""Returns the current time in integer nanoseconds (`time.monotonic_ns`, `time.time_ns`, a fake)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one `hit`, with everything the HTTP layer needs.

    - `allowed`: admit the request, or answer 429.
    - `limit`: the burst, i.e. the most cells the key may spend at once (`RateLimit-Limit`).
    - `remaining`: cells that could still be spent right now (`RateLimit-Remaining`); an estimate
      for the shared limiter (other processes may have spent some since it last looked).
    - `reset_after`: seconds until the bucket is full again (`RateLimit-Reset`).
    - `retry_after`: seconds until this same request would be admitted; 0 when allowed
      (`Retry-After`).
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float

    def headers(self) -> dict[str, str]:
        """`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (draft-ietf-httpapi-ratelimit-
        headers, delta seconds) and, when refused, `Retry-After` (RFC 9110, whole seconds, rounded
        up so that a client honouring it is not refused again for arriving a fraction early)."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(math.ceil(self.reset_after)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


@dataclass(frozen=True, slots=True)
class Grant:
    """The result of `reserve`: how many cells were granted and the state after it."""

    granted: bool
    cells: int
    tat: int  # the new TAT to store (the old one when refused)
    remaining: int  # cells still available after the grant
    reset_after_ns: int  # until the bucket is full again
    retry_after_ns: int  # until `min_cells` would be granted; 0 when granted

    def decision(self, burst: int, *, extra: int = 0) -> Decision:
        """This grant as a `Decision`; `extra` cells (leased, not yet spent) count as remaining."""
        return Decision(
            allowed=self.granted,
            limit=burst,
            remaining=min(burst, self.remaining + extra),
            reset_after=self.reset_after_ns / NS_PER_SECOND,
            retry_after=self.retry_after_ns / NS_PER_SECOND,
        )


def validate(rate: float, burst: int, cost: int) -> None:
    """Raise `InvalidLimitError` unless `0 < rate <= MAX_RATE`, `burst >= 1`, `cost >= 1`, and
    `CostExceedsBurstError` if `cost > burst` (such a request could never be admitted)."""
    if not (0 < rate <= MAX_RATE) or math.isnan(rate):
        raise InvalidLimitError(f"rate must be in (0, {MAX_RATE:g}] per second, not {rate!r}")
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise InvalidLimitError(f"burst must be an integer >= 1, not {burst!r}")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
        raise InvalidLimitError(f"cost must be an integer >= 1, not {cost!r}")
    if cost > burst:
        raise CostExceedsBurstError(f"cost {cost} exceeds burst {burst}: it can never be admitted")


def reserve(tat: int, now: int, *, rate: float, burst: int, min_cells: int, max_cells: int) -> Grant:
    """Grant as many cells as are available, up to `max_cells`, if at least `min_cells` are.

    `tat` is the stored TAT (0 for a key never seen), `now` the clock. `min_cells == max_cells ==
    cost` is a plain GCRA check; a larger `max_cells` reserves a lease for later hits.
    `min_cells == max_cells == 0` only reads the state. Arguments are not validated here.
    """
    interval = NS_PER_SECOND / rate
    tau = burst * interval
    base = max(tat, now)
    backlog = base - now  # how far the TAT is ahead of now: the cells in use, in time
    available = max(0, min(burst, math.floor((tau - backlog) / interval + CELL_TOLERANCE)))
    if available < min_cells:
        wait = backlog + min_cells * interval - tau - CELL_TOLERANCE * interval
        return Grant(
            granted=False,
            cells=0,
            tat=tat,
            remaining=available,
            reset_after_ns=backlog,
            retry_after_ns=max(1, math.ceil(wait)),
        )
    cells = min(max_cells, available)
    new_tat = base + round(cells * interval)
    return Grant(
        granted=True,
        cells=cells,
        tat=new_tat,
        remaining=available - cells,
        reset_after_ns=new_tat - now,
        retry_after_ns=0,
    )


def decide(tat: int, now: int, *, rate: float, burst: int, cost: int = 1) -> Grant:
    """The plain GCRA check of one request of `cost` cells."""
    return reserve(tat, now, rate=rate, burst=burst, min_cells=cost, max_cells=cost)


class Buckets:
    """GCRA state of many keys in memory, one clock; synchronous, no I/O, not thread-safe.

    Memory is bounded: past `max_keys` the keys whose bucket is full again (TAT in the past, the
    same as never seen) are dropped; if that is not enough the least recently inserted keys go,
    which resets their buckets (admitting at most one extra burst for each).
    """

    def __init__(self, clock: Clock, *, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._tat: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._tat)

    def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> Decision:
        """Validate, check and record one request; see `RateLimiter.hit` for the guarantees."""
        validate(rate, burst, cost)
        now = self._clock()
        grant = decide(self._tat.get(key, 0), now, rate=rate, burst=burst, cost=cost)
        if grant.granted:
            if key not in self._tat and len(self._tat) >= self._max_keys:
                self._evict(now)
            self._tat[key] = grant.tat
        return grant.decision(burst)

    def _evict(self, now: int) -> None:
        self._tat = {k: t for k, t in self._tat.items() if t > now}
        excess = len(self._tat) - self._max_keys + 1
        for key in list(self._tat)[: max(0, excess)]:
            del self._tat[key]
