"""What the transports share about a socket's life: counting failed attempts."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["SSE_HEARTBEAT_TIMEOUT", "STABLE_AFTER_SECONDS", "next_failures"]

# A socket that stayed up this long was healthy: the next failure starts the backoff afresh. A
# shorter life counts as a failed attempt, so a server that accepts then closes at once is not
# hammered.
STABLE_AFTER_SECONDS = 10.0
# When the transport gives no heartbeat interval (SSE), silence this long means a dead stream.
# The server's default heartbeat is 20 s; twice that plus a margin for a slow network.
SSE_HEARTBEAT_TIMEOUT = 45.0


def next_failures(failures: int, up_since: float | None, clock: Callable[[], float] = time.monotonic) -> int:
    """The count of consecutive failed attempts after a socket that was up since `up_since`
    (None: it never got up)."""
    if up_since is not None and clock() - up_since >= STABLE_AFTER_SECONDS:
        return 1
    return failures + 1
