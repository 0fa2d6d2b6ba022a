"""What the rest of the server may assume about the broker.

Subjects are always built by `tidings_server.broker.subjects`, which scopes them by project:
no caller writes a raw subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Broker", "PublishAck", "StreamSpec"]


@dataclass(frozen=True, slots=True)
class PublishAck:
    stream: str
    seq: int
    duplicate: bool
    """True when the broker had already stored a message with the same id in its duplicate window;
    `seq` is then the sequence of that first message."""


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    max_age_seconds: float = 0
    """0: no age limit."""
    max_msgs: int = -1
    max_bytes: int = -1
    duplicate_window_seconds: float = 120
    """How long a message id is remembered for de-duplication."""


class Broker(Protocol):
    """A persistent, ordered log per stream.

    Guarantees:
    - `publish` returns only once the message is stored (JetStream ack); it is then durable to
      the stream's replication and will be delivered at least once to every consumer.
    - Messages published with the same `msg_id` within the stream's duplicate window are stored
      once; the later calls get the first message's sequence with `duplicate=True`.
    - Within one stream, sequence numbers are strictly increasing and delivery follows them.
    - A publish that raises may or may not have been stored: retry it with the same `msg_id`.
    """

    async def ensure_stream(self, spec: StreamSpec) -> None:
        """Create the stream, or update its limits and subjects to `spec` (idempotent)."""
        ...

    async def publish(
        self,
        subject: str,
        payload: bytes,
        *,
        msg_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 5.0,
    ) -> PublishAck: ...

    async def ping(self, timeout: float) -> float:
        """One JetStream round trip; the latency in ms, or raises when JetStream does not answer."""
        ...

    async def close(self) -> None:
        """Flush what is buffered and disconnect."""
        ...
