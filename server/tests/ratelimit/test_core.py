"""The pure GCRA core, with an injected clock (no I/O), and the small pure helpers around it."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings_server.ratelimit import (
    Buckets,
    CostExceedsBurstError,
    Decision,
    InvalidLimitError,
    RateLimitError,
    api_key_scope,
    decide,
    kv_key,
    most_restrictive,
    tenant_scope,
)

NS = 1_000_000_000
# The core admits up to 0.001 cell early (CELL_TOLERANCE); tests allow a little more for float.
SLACK_CELLS = 0.01


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000 * NS

    def __call__(self) -> int:
        return self.now


limits = st.tuples(
    st.floats(min_value=0.1, max_value=10_000, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=50),
)
# (gap since the previous request in µs, cost as a fraction of the burst)
arrivals = st.lists(
    st.tuples(st.integers(min_value=0, max_value=300_000), st.floats(min_value=0, max_value=1)),
    min_size=1,
    max_size=80,
)


def _run(rate: float, burst: int, requests: list[tuple[int, float]]) -> list[tuple[int, int, Decision]]:
    clock = FakeClock()
    buckets = Buckets(clock)
    out = []
    for gap_us, fraction in requests:
        clock.now += gap_us * 1000
        cost = max(1, round(fraction * burst))
        out.append((clock.now, cost, buckets.hit("k", rate=rate, burst=burst, cost=cost)))
    return out


@settings(max_examples=300, deadline=None)
@given(limits, arrivals)
def test_property_05_rate_limiting_window_bound(
    limit: tuple[float, int], requests: list[tuple[int, float]]
) -> None:
    """For any sequence of requests, the cells admitted in any window [t_i, t_j] are at most
    burst + rate * (t_j - t_i)."""
    rate, burst = limit
    admitted = [(t, cost) for t, cost, d in _run(rate, burst, requests) if d.allowed]
    for i in range(len(admitted)):
        total = 0
        for j in range(i, len(admitted)):
            total += admitted[j][1]
            window = (admitted[j][0] - admitted[i][0]) / NS
            assert total <= burst + rate * window + SLACK_CELLS


@settings(max_examples=300, deadline=None)
@given(limits, arrivals)
def test_property_05_rate_limiting_matches_token_bucket(
    limit: tuple[float, int], requests: list[tuple[int, float]]
) -> None:
    """Each decision is the one an exact token bucket (capacity burst, refilled at rate, starting
    full) takes: in particular a request under the limit is never refused."""
    rate, burst = limit
    exact_rate = Fraction(rate)
    tokens = Fraction(burst)
    last: int | None = None
    for t, cost, decision in _run(rate, burst, requests):
        if last is not None:
            tokens = min(Fraction(burst), tokens + exact_rate * Fraction(t - last, NS))
        last = t
        if tokens >= cost + SLACK_CELLS:
            assert decision.allowed, (t, cost, float(tokens))
        elif tokens < cost - SLACK_CELLS:
            assert not decision.allowed, (t, cost, float(tokens))
        if decision.allowed:
            tokens -= cost
            assert decision.retry_after == 0
        assert 0 <= decision.remaining <= burst
        assert abs(decision.remaining - int(max(tokens, 0) + Fraction(SLACK_CELLS))) <= 1


@settings(max_examples=300, deadline=None)
@given(limits, arrivals, st.integers(min_value=1, max_value=50))
def test_property_05_rate_limiting_retry_after_is_exact(
    limit: tuple[float, int], requests: list[tuple[int, float]], cost: int
) -> None:
    """A refused request is refused until `retry_after` and admitted from then on."""
    rate, burst = limit
    cost = min(cost, burst)
    clock = FakeClock()
    buckets = Buckets(clock)
    for gap_us, fraction in requests:
        clock.now += gap_us * 1000
        buckets.hit("k", rate=rate, burst=burst, cost=max(1, round(fraction * burst)))
    decision = buckets.hit("k", rate=rate, burst=burst, cost=cost)
    if decision.allowed:
        return
    wait = round(decision.retry_after * NS)
    start = clock.now
    # A microsecond before the promised time: still refused (when that is after now).
    if wait > 1000:
        clock.now = start + wait - 1000
        assert not buckets.hit("k", rate=rate, burst=burst, cost=cost).allowed
    clock.now = start + wait + 1
    assert buckets.hit("k", rate=rate, burst=burst, cost=cost).allowed


def test_burst_then_steady_rate() -> None:
    clock = FakeClock()
    buckets = Buckets(clock)
    allowed = [buckets.hit("k", rate=10, burst=5).allowed for _ in range(7)]
    assert allowed == [True] * 5 + [False] * 2
    clock.now += NS // 10  # one emission interval later: one more cell
    assert buckets.hit("k", rate=10, burst=5).allowed
    assert not buckets.hit("k", rate=10, burst=5).allowed


def test_refusal_spends_nothing_and_keys_are_independent() -> None:
    clock = FakeClock()
    buckets = Buckets(clock)
    assert buckets.hit("a", rate=1, burst=3, cost=3).allowed
    assert not buckets.hit("a", rate=1, burst=3, cost=1).allowed
    assert buckets.hit("b", rate=1, burst=3, cost=3).allowed
    clock.now += NS
    assert buckets.hit("a", rate=1, burst=3).allowed


def test_decision_headers() -> None:
    clock = FakeClock()
    buckets = Buckets(clock)
    ok = buckets.hit("k", rate=2, burst=4, cost=3)
    assert ok.headers() == {"RateLimit-Limit": "4", "RateLimit-Remaining": "1", "RateLimit-Reset": "2"}
    refused = buckets.hit("k", rate=2, burst=4, cost=2)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(0.5, abs=0.001)  # CELL_TOLERANCE: 1/1000 interval
    assert refused.headers() == {
        "RateLimit-Limit": "4",
        "RateLimit-Remaining": "1",
        "RateLimit-Reset": "2",
        "Retry-After": "1",
    }


def test_limit_change_applies_from_next_hit() -> None:
    clock = FakeClock()
    buckets = Buckets(clock)
    for _ in range(10):
        assert buckets.hit("k", rate=1, burst=10).allowed
    # Plan upgrade: a deeper bucket admits the difference at once.
    assert buckets.hit("k", rate=1, burst=20, cost=10).allowed
    assert not buckets.hit("k", rate=1, burst=20).allowed
    # Downgrade with a backlog deeper than the new burst: refused, never a negative remaining.
    downgraded = buckets.hit("k", rate=1, burst=5)
    assert not downgraded.allowed
    assert downgraded.remaining == 0


@pytest.mark.parametrize(
    ("rate", "burst", "cost"),
    [(0, 1, 1), (-1, 1, 1), (float("nan"), 1, 1), (float("inf"), 1, 1), (1, 0, 1), (1, 1, 0), (1, 1.5, 1)],
)
def test_invalid_limits(rate: float, burst: int, cost: int) -> None:
    with pytest.raises(InvalidLimitError) as info:
        Buckets(FakeClock()).hit("k", rate=rate, burst=burst, cost=cost)
    assert isinstance(info.value, RateLimitError)
    assert isinstance(info.value, ValueError)


def test_cost_over_burst_is_its_own_error() -> None:
    with pytest.raises(CostExceedsBurstError):
        Buckets(FakeClock()).hit("k", rate=1, burst=5, cost=6)


def test_memory_is_bounded_and_full_buckets_go_first() -> None:
    clock = FakeClock()
    buckets = Buckets(clock, max_keys=3)
    buckets.hit("old", rate=1, burst=1)
    clock.now += 2 * NS  # "old" is full again: forgetting it changes nothing
    buckets.hit("a", rate=1, burst=1)
    buckets.hit("b", rate=1, burst=1)
    buckets.hit("c", rate=1, burst=1)
    assert len(buckets) == 3
    assert not buckets.hit("a", rate=1, burst=1).allowed


def test_decide_is_pure() -> None:
    grant = decide(0, 10 * NS, rate=1, burst=2)
    assert grant.granted
    assert grant.tat == 11 * NS
    assert decide(0, 10 * NS, rate=1, burst=2) == grant


def test_most_restrictive() -> None:
    ok_many = Decision(True, 100, 90, 1.0, 0)
    ok_few = Decision(True, 10, 2, 3.0, 0)
    refused = Decision(False, 10, 0, 5.0, 2.0)
    assert most_restrictive([ok_many, ok_few]) is ok_few
    assert most_restrictive([ok_many, refused, ok_few]) is refused
    with pytest.raises(ValueError, match="no decisions"):
        most_restrictive([])


_KV_KEY = re.compile(r"^[-/_=.a-zA-Z0-9]+$")


def test_scopes() -> None:
    assert tenant_scope("0b5e") == "tenant:0b5e"
    assert api_key_scope("ABCDEF123456") == "key:ABCDEF123456"
    assert kv_key("key:ABCDEF123456") == "key.ABCDEF123456"


@given(st.text(max_size=40), st.text(max_size=40))
def test_kv_keys_are_valid_and_distinct(a: str, b: str) -> None:
    for key in (a, b):
        name = kv_key(key)
        assert _KV_KEY.match(name), name
        assert not name.startswith(".")
        assert not name.endswith(".")
        assert ".." not in name
    if a != b:
        assert kv_key(a) != kv_key(b)
