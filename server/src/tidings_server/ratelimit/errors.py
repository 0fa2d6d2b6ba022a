"""The package's exceptions.

Hierarchy::

    RateLimitError                  root of every exception this package raises
    └── InvalidLimitError           rate, burst or cost out of range (also a ValueError)
        └── CostExceedsBurstError   cost > burst: the request could never be admitted

Store failures (NATS down, timeouts) are never raised to callers: the shared limiter falls back to
its local one (see the package docstring). A caller that gets `CostExceedsBurstError` for a batch
should answer 413/422 ("batch larger than your burst"), not 429: retrying cannot help.
"""

from __future__ import annotations

__all__ = ["CostExceedsBurstError", "InvalidLimitError", "RateLimitError"]


class RateLimitError(Exception):
    """Root of the package's exceptions."""


class InvalidLimitError(RateLimitError, ValueError):
    """A rate, burst or cost outside its documented range."""


class CostExceedsBurstError(InvalidLimitError):
    """A single request costs more cells than the bucket can ever hold."""
