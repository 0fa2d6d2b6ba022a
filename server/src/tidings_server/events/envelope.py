"""The event envelope and how it is stored in JetStream.

One event is one JetStream message on `tidings.ev.<project>.<topic>`:

    payload   the event's `data`, compact JSON (stored exactly as it is delivered)
    headers   Tidings-Id            the event id
              Tidings-Published-At  RFC 3339, µs, UTC: when this server accepted it
              Tidings-Body-Hash     SHA-256 of the publish request for this event (topic, id,
                                    data): a reused idempotency key with another body is a 409
              Nats-Msg-Id           the de-duplication id (idempotency key or event id)
              traceparent           W3C trace context, when the publisher sent one (reserved)

A message redriven from the dead-letter stream to one subscription (`tidings.rd.…`) carries
the original `Tidings-Topic` and `Tidings-Seq` (the original stream sequence, hence its cursor).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tidings_server.broker.base import StoredMessage

__all__ = ["H_BODY_HASH", "H_ID", "H_PUBLISHED_AT", "H_SEQ", "H_TOPIC", "Event", "body_hash", "now_stamp"]

H_ID = "Tidings-Id"
H_PUBLISHED_AT = "Tidings-Published-At"
H_BODY_HASH = "Tidings-Body-Hash"
H_TOPIC = "Tidings-Topic"
H_SEQ = "Tidings-Seq"
H_TRACEPARENT = "traceparent"


@dataclass(frozen=True, slots=True)
class Event:
    """An event as delivered: REST replay, durable pulls, and (later) WebSocket and SSE."""

    id: str
    topic: str
    data: Any
    published_at: str
    cursor: str
    seq: int
    """Stream sequence (inside the cursor); for ordering and de-duplication on the server."""
    headers: dict[str, str] | None = None
    """Trace context (`traceparent`) when present."""

    def to_json(self) -> dict[str, Any]:
        body = {
            "id": self.id,
            "topic": self.topic,
            "data": self.data,
            "published_at": self.published_at,
            "cursor": self.cursor,
        }
        if self.headers:
            body["headers"] = self.headers
        return body


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def body_hash(topic: str, event_id: str | None, data_json: bytes) -> str:
    digest = hashlib.sha256()
    for part in (topic.encode(), (event_id or "").encode(), data_json):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def topic_of(message: StoredMessage, prefix_tokens: int = 3) -> str:
    """The topic of a stored event: its subject after `tidings.ev.<project>.`, or the header
    of a redriven message."""
    topic = message.headers.get(H_TOPIC)
    if topic:
        return topic
    return message.subject.split(".", prefix_tokens)[-1]


def decode_data(message: StoredMessage) -> Any:
    return orjson.loads(message.data) if message.data else None
