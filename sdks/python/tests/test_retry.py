from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings import RetryPolicy
from tidings._retry import RETRYABLE_STATUSES, parse_retry_after


def test_full_jitter_draws_under_a_doubling_cap() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=8.0)
    assert policy.delay(0, None, unit=0.0) == 0.0
    assert policy.delay(0, None, unit=0.5) == pytest.approx(0.125)
    assert policy.delay(3, None, unit=0.5) == pytest.approx(1.0)
    assert policy.delay(30, None, unit=0.5) == pytest.approx(4.0)  # capped by max_delay
    draws = {policy.delay(2, None) for _ in range(200)}
    assert all(0.0 <= d < 1.0 for d in draws)
    assert len(draws) > 100  # actually random, so synchronized clients spread out


def test_retry_after_wins_and_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(5, 2.0) == 2.0
    assert policy.delay(0, 86_400.0) == 60.0


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0  # already past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_only_transient_statuses_are_retryable() -> None:
    assert {408, 429, 500, 502, 503, 504} <= RETRYABLE_STATUSES
    assert not {400, 401, 403, 404, 409, 413, 422} & RETRYABLE_STATUSES
