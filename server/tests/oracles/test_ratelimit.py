"""The GCRA core against a token bucket simulated in exact rational arithmetic: capacity
`burst`, starts full, refills `rate` tokens per second, a request of `cost` is admitted iff the
bucket holds at least `cost` tokens (then they are taken). The module's documentation promises
exactly this behaviour; the simulation shares no code with it.

Request times are multiples of an eighth of the emission interval, so the bucket never holds a
token count within the core's documented 0.001-cell tolerance of a boundary (where the two may
legitimately differ).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from tidings_server.ratelimit.core import NS_PER_SECOND, Buckets

# Rates whose emission interval is a whole number of nanoseconds divisible by 8.
RATES = [1, 2, 4, 5, 8, 10, 25, 100, 1000]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000 * NS_PER_SECOND

    def __call__(self) -> int:
        return self.now


class TokenBucket:
    def __init__(self, rate: int, burst: int, now: int) -> None:
        self.rate, self.burst = Fraction(rate), burst
        self.tokens = Fraction(burst)
        self.last = now

    def hit(self, now: int, cost: int) -> tuple[bool, int, Fraction, Fraction]:
        """(allowed, remaining whole tokens, seconds until full, seconds until `cost` fit)."""
        elapsed = Fraction(now - self.last, NS_PER_SECOND)
        self.tokens = min(Fraction(self.burst), self.tokens + elapsed * self.rate)
        self.last = now
        allowed = self.tokens >= cost
        if allowed:
            self.tokens -= cost
        until_full = (self.burst - self.tokens) / self.rate
        until_fit = Fraction(0) if allowed else (cost - self.tokens) / self.rate
        return allowed, int(self.tokens), until_full, until_fit


# (eighths of an interval since the previous request, cost)
STEPS = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=5)), max_size=60
)


@given(rate=st.sampled_from(RATES), burst=st.integers(min_value=1, max_value=8), steps=STEPS)
@example(rate=1, burst=1, steps=[(0, 1), (0, 1), (8, 1), (7, 1), (1, 1)])
@example(rate=10, burst=3, steps=[(0, 3), (0, 1), (8, 1), (8, 2), (16, 2)])
@example(rate=2, burst=5, steps=[(0, 5), (40, 5), (39, 5), (1, 5)])
def test_buckets_behave_as_the_exact_token_bucket(
    rate: int, burst: int, steps: list[tuple[int, int]]
) -> None:
    interval = NS_PER_SECOND // rate
    clock = Clock()
    buckets = Buckets(clock)
    model = TokenBucket(rate, burst, clock.now)
    for eighths, cost in steps:
        clock.now += eighths * interval // 8
        cost = min(cost, burst)
        allowed, remaining, until_full, until_fit = model.hit(clock.now, cost)
        got = buckets.hit("k", rate=rate, burst=burst, cost=cost)
        assert got.allowed is allowed, (eighths, cost)
        assert got.limit == burst
        assert got.remaining == remaining
        assert abs(Fraction(got.reset_after) - until_full) <= Fraction(1, NS_PER_SECOND)
        if allowed:
            assert got.retry_after == 0
        else:
            # Rounded up to the nanosecond, less the documented 0.001-cell tolerance.
            tolerance = Fraction(interval, 1000 * NS_PER_SECOND) + Fraction(1, NS_PER_SECOND)
            assert (
                until_fit - tolerance <= Fraction(got.retry_after) <= until_fit + Fraction(1, NS_PER_SECOND)
            )
            assert got.headers()["Retry-After"] == str(
                max(1, -(-until_fit.numerator // until_fit.denominator))
            )


@given(rate=st.sampled_from(RATES), burst=st.integers(min_value=1, max_value=8))
def test_keys_are_independent(rate: int, burst: int) -> None:
    clock = Clock()
    buckets = Buckets(clock)
    assert all(buckets.hit("a", rate=rate, burst=burst).allowed for _ in range(burst))
    assert not buckets.hit("a", rate=rate, burst=burst).allowed
    assert buckets.hit("b", rate=rate, burst=burst).allowed
