"""Server frames as bytes, encoded once and shared by every connection that receives them.

An event's JSON object (`Delivered.body`, the same shape REST answers) is built once per event
from the stored message — the payload bytes are spliced in, never parsed and re-encoded. From
it come the WebSocket `event` frame (one event), the `events` frame (several, in order) and the
SSE records (`id:` the cursor, `data:` the event frame).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = [
    "Delivered",
    "encode_event_body",
    "events_frame",
    "frame",
    "sse_comment",
    "sse_record",
    "sse_records",
]


def encode_event_body(
    event_id: str, topic: str, data: bytes, published_at: str, cursor: str, traceparent: str | None
) -> bytes:
    """The event's JSON object; `data` is the stored payload (compact JSON, or empty for null)."""
    parts = [
        b'{"id":',
        orjson.dumps(event_id),
        b',"topic":',
        orjson.dumps(topic),
        b',"data":',
        data or b"null",
        b',"published_at":',
        orjson.dumps(published_at),
        b',"cursor":"',
        cursor.encode(),
        b'"',
    ]
    if traceparent:
        parts += [b',"headers":{"traceparent":', orjson.dumps(traceparent), b"}"]
    parts.append(b"}")
    return b"".join(parts)


@dataclass(slots=True, eq=False)
class Delivered:
    """One event as the gateway delivers it."""

    seq: int
    topic: str
    cursor: str
    body: bytes
    published: float = 0.0
    """Unix time the publishing server accepted the event (0 when unknown)."""
    _frame: bytes | None = field(default=None, repr=False)

    def frame(self) -> bytes:
        """The WebSocket `event` frame of this event alone (built on first use, then shared)."""
        if self._frame is None:
            self._frame = b'{"type":"event",' + self.body[1:]
        return self._frame


def events_frame(events: Sequence[Delivered], durable: str | None = None) -> bytes:
    """One WebSocket frame for `events` (in order): `event` for one, `events` for several."""
    head = (
        b'{"type":"events",'
        if durable is None
        else b'{"type":"events","durable":' + orjson.dumps(durable) + b","
    )
    if len(events) == 1:
        if durable is None:
            return events[0].frame()
        return b'{"type":"event","durable":' + orjson.dumps(durable) + b"," + events[0].body[1:]
    return head + b'"events":[' + b",".join(e.body for e in events) + b"]}"


def frame(obj: dict[str, Any]) -> bytes:
    return orjson.dumps(obj)


def sse_record(event: str, data: bytes, record_id: str | None = None) -> bytes:
    """One SSE record; `data` is one line of JSON (orjson never writes a newline)."""
    head = b"id: " + record_id.encode() + b"\n" if record_id else b""
    return head + b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def sse_records(events: Sequence[Delivered]) -> bytes:
    """Several events as consecutive SSE records (one write), each with its cursor as `id:`."""
    return b"".join(sse_record("event", e.frame(), e.cursor) for e in events)


def sse_comment(text: str = "") -> bytes:
    return b":" + text.encode() + b"\n\n"
