"""The one way tests wait for something to become true: poll a condition until it holds.

Tests never sleep as synchronization and never assert how fast something happened; they wait
for the state they expect, with a generous deadline that only bounds a hung test (a busy CI
machine may be many times slower than a laptop). The deadline is not a performance claim.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["DEFAULT_TIMEOUT", "aeventually", "eventually"]

T = TypeVar("T")

# Bounds a hung test only; generous because CI shares two cores with every other suite.
DEFAULT_TIMEOUT = 30.0
_POLL = 0.02

_UNSET: Any = object()


def _holds(seen: object, expected: object, predicate: Callable[[Any], bool] | None) -> bool:
    if predicate is not None:
        return predicate(seen)
    if expected is _UNSET:
        return bool(seen)
    return seen == expected


def _timed_out(message: str, seen: object, expected: object) -> AssertionError:
    want = "" if expected is _UNSET else f", expected {expected!r}"
    return AssertionError(f"{message or 'condition'} still not met: {seen!r}{want}")


def eventually(
    read: Callable[[], T],
    expected: Any = _UNSET,
    *,
    until: Callable[[T], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = _POLL,
    message: str = "",
) -> T:
    """Call `read()` until its value equals `expected` (or satisfies `until`, or is truthy when
    neither is given) and return that value. An exception raised by `read` counts as "not yet"
    (an AssertionError too, so `read` may assert); the last one is reported at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        error: BaseException | None = None
        seen: Any = None
        try:
            seen = read()
            if _holds(seen, expected, until):
                return seen  # type: ignore[no-any-return]
        except Exception as exc:  # noqa: BLE001 - retried, reported at the deadline
            error = exc
        if time.monotonic() >= deadline:
            raise _timed_out(message, seen, expected) from error
        time.sleep(interval)


async def aeventually(
    read: Callable[[], T | Awaitable[T]],
    expected: Any = _UNSET,
    *,
    until: Callable[[T], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = _POLL,
    message: str = "",
) -> T:
    """`eventually` for the event loop: `read` may be a plain or an async callable."""
    deadline = time.monotonic() + timeout
    while True:
        error: BaseException | None = None
        seen: Any = None
        try:
            seen = read()
            if inspect.isawaitable(seen):
                seen = await seen
            if _holds(seen, expected, until):
                return seen  # type: ignore[no-any-return]
        except Exception as exc:  # noqa: BLE001 - retried, reported at the deadline
            error = exc
        if time.monotonic() >= deadline:
            raise _timed_out(message, seen, expected) from error
        await asyncio.sleep(interval)
