"""What the rest of the server may assume about the broker.

Subjects are always built by `tidings_server.broker.subjects`, which scopes them by project:
no caller writes a raw subject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

__all__ = [
    "Broker",
    "Delivery",
    "DurableSpec",
    "OutgoingMessage",
    "PublishAck",
    "ReadPage",
    "StoredMessage",
    "StreamSpec",
    "StreamState",
]


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
    max_msg_size: int = -1
    """Largest message (headers and payload) the stream accepts; a larger one is refused by
    JetStream (never stored and then discarded). -1: no limit beyond the server's."""
    duplicate_window_seconds: float = 120
    """How long a message id is remembered for de-duplication."""
    work_queue: bool = False
    """Work-queue retention: a message is removed once a consumer acknowledges it (the
    advisory stream of the dead-letter router); otherwise limits retention."""


@dataclass(frozen=True, slots=True)
class StreamState:
    """What a stream holds now."""

    name: str
    epoch: int
    """Microseconds since the Unix epoch at which the stream was created: changes when a stream
    is deleted and created again (sequences restart), so a cursor can name the incarnation."""
    first_seq: int
    """Sequence of the oldest stored message (last_seq + 1 when the stream is empty)."""
    last_seq: int
    messages: int
    bytes: int
    max_msgs: int = -1
    """The stream's limits (-1: none)."""
    max_bytes: int = -1


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    subject: str
    payload: bytes
    msg_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    subject: str
    seq: int
    data: bytes
    headers: Mapping[str, str]
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReadPage:
    messages: list[StoredMessage]
    more: bool
    """Whether more messages matched after the last one returned (when the read stopped at its
    limit, not at `stop_seq` or the end of the stream)."""


@dataclass(frozen=True, slots=True)
class DurableSpec:
    """A named, acknowledged consumer of a stream."""

    name: str
    filter_subjects: tuple[str, ...]
    ack_wait_seconds: float
    max_deliveries: int
    description: str = ""
    deliver_all: bool = False
    """Start with the oldest stored message instead of the next one published (required on a
    work-queue stream)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    message: StoredMessage
    reply: str
    """The JetStream ack subject of this delivery (acknowledge with `Broker.ack`)."""
    deliveries: int
    """How many times this message has been delivered to the consumer, this time included."""


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

    async def publish_batch(
        self, messages: Sequence[OutgoingMessage], *, timeout: float = 5.0
    ) -> list[PublishAck]:
        """Publish `messages` pipelined on one connection: stored in this order (sequences
        increase with the index), each de-duplicated by its own `msg_id`. Raises if any is not
        acknowledged within `timeout`; a prefix may then be stored, and retrying the whole batch
        with the same ids stores only the rest. Not atomic."""
        ...

    async def stream_state(self, name: str) -> StreamState | None:
        """The stream's current state, or None when it does not exist."""
        ...

    async def get_message(self, stream: str, seq: int) -> StoredMessage | None:
        """The message stored at `seq`, or None when it was removed (limits) or never existed."""
        ...

    async def read(
        self,
        stream: str,
        *,
        subjects: Sequence[str],
        start_seq: int | None = None,
        start_time: datetime | None = None,
        limit: int,
        stop_seq: int | None = None,
    ) -> ReadPage:
        """Up to `limit` stored messages matching any of `subjects`, in sequence order, from
        `start_seq` (inclusive) or the first message at or after `start_time`, stopping before
        `stop_seq`. A snapshot read: no state is left behind on the server. Messages removed by
        limits while reading are skipped, never invented."""
        ...

    async def ensure_durable(self, stream: str, spec: DurableSpec) -> None:
        """Create the durable consumer or update its settings (idempotent). A new consumer
        starts at the next message published; an existing one keeps its position."""
        ...

    async def delete_durable(self, stream: str, name: str) -> bool:
        """Delete the consumer (its unacknowledged messages stay in the stream); False if absent."""
        ...

    async def pull(self, stream: str, durable: str, *, batch: int, wait: float) -> list[Delivery]:
        """Up to `batch` messages for the consumer, waiting at most `wait` seconds for the first.
        At least once: a delivery not acknowledged within the consumer's ack wait is delivered
        again, up to its max deliveries; after that JetStream emits a MAX_DELIVERIES advisory."""
        ...

    async def ack(self, reply: str, *, kind: str = "ack", timeout: float = 5.0) -> None:
        """Acknowledge a delivery (`ack`), ask for it again now (`nak`), or give up on it
        (`term`); confirmed by the server before returning."""
        ...

    async def delete_message(self, stream: str, seq: int) -> bool:
        """Remove one message; False when it was not there."""
        ...

    async def purge(self, stream: str, *, subject: str | None = None) -> int:
        """Remove every message (or every message on `subject`); the count removed."""
        ...

    async def ping(self, timeout: float) -> float:
        """One JetStream round trip; the latency in ms, or raises when JetStream does not answer."""
        ...

    async def close(self) -> None:
        """Flush what is buffered and disconnect."""
        ...
