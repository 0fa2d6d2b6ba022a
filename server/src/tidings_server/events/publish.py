"""Publishing: validate, append to the project's stream, answer with id and cursor.

Guarantees:
- An event is answered 201 only once JetStream has stored it (ack); the answer's cursor is its
  position in the stream.
- Exactly-once publish within the duplicate window (`DUPLICATE_WINDOW_SECONDS`, 2 minutes):
  the de-duplication id is the `Idempotency-Key` header (for a batch, the key plus the event's
  index) or else the event's own `id`. A retry with the same id and the same body answers
  the original event's id, cursor and time (`duplicate: true`); with another body, 409
  `idempotency_conflict`. After the window a retry is a new event.
- End to end, "exactly once" is: idempotent publish (this module) + at-least-once delivery
  (JetStream) + de-duplication by cursor in the SDKs (an event whose cursor is not after the
  last one seen is dropped).
- A batch is validated whole before anything is stored (one bad event: nothing is written).
  Its events are stored in order but not atomically: if JetStream fails mid-batch the answer
  is 503 and a prefix may be stored; retrying with the same `Idempotency-Key` stores the rest.
- JetStream unreachable: 503 `dependency_unavailable` with `Retry-After` before anything is
  sent (the client never buffers a publish that could land after the caller gave up).
- Never acknowledged and then lost: JetStream's "discard old" stores a message and removes it at
  once when it alone is larger than the stream's `max_bytes`, and a batch's first events when the
  batch is over `max_bytes` or `max_events`. Those are 413 `retention_exceeded` before anything
  is sent (from the limits this node last saw), and the stream's `max_msg_size` makes JetStream
  refuse a single oversized event by itself whatever a node believes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import nats.errors
from nats.js.errors import APIError

from tidings_server import topics
from tidings_server.broker.base import OutgoingMessage
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import event_subject, project_stream
from tidings_server.errors import DependencyUnavailable, RequestError, Violation
from tidings_server.events.cursor import Cursor, CursorCodec
from tidings_server.events.envelope import (
    H_BODY_HASH,
    H_ID,
    H_PUBLISHED_AT,
    H_TRACEPARENT,
    body_hash,
    now_stamp,
)
from tidings_server.events.errors import (
    EventTooLarge,
    IdempotencyConflict,
    RetentionExceeded,
    SchemaViolation,
)
from tidings_server.events.limits import DEFAULT_EVENT_BYTES, MAX_DATA_DEPTH
from tidings_server.events.retention import stored_size
from tidings_server.events.schemas import SchemaRegistry
from tidings_server.events.streams import ProjectStreams
from tidings_server.jsonutil import dumps, nests_deeper_than
from tidings_server.observability.tracing import publish_span

__all__ = ["EventInput", "PublishListener", "Published", "Publisher"]

PUBLISH_TIMEOUT_SECONDS = 5.0
# JetStream's error code for "message size exceeds maximum allowed" (the stream's max_msg_size).
JS_MESSAGE_TOO_LARGE = 10054
TOPIC_RULE = "1 to 16 dot-separated tokens of A-Z a-z 0-9 _ -, at most 255 characters, no wildcards"


@dataclass(frozen=True, slots=True)
class EventInput:
    topic: str
    data: Any
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Published:
    id: str
    topic: str
    cursor: str
    published_at: str
    duplicate: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "cursor": self.cursor,
            "published_at": self.published_at,
            "duplicate": self.duplicate,
        }


# Called after every successful publish with (tenant, project, events stored, bytes stored):
# the metering hook of the billing issue.
PublishListener = Callable[[uuid.UUID, uuid.UUID, int, int], Awaitable[None]]


def _header_bytes(headers: dict[str, str], msg_id: str | None) -> int:
    """The size of the NATS header block these headers make (`NATS/1.0`, one line each)."""
    size = len("NATS/1.0\r\n\r\n") + sum(len(k) + len(v) + 4 for k, v in headers.items())
    return size + (len("Nats-Msg-Id") + len(msg_id) + 4 if msg_id else 0)


class Publisher:
    def __init__(
        self,
        broker: JetStreamBroker,
        streams: ProjectStreams,
        schemas: SchemaRegistry,
        codec: CursorCodec,
        *,
        max_event_bytes: int = DEFAULT_EVENT_BYTES,
    ) -> None:
        self._broker = broker
        self._streams = streams
        self._schemas = schemas
        self._codec = codec
        self._max_event_bytes = max_event_bytes
        self._listeners: list[PublishListener] = []

    def on_published(self, listener: PublishListener) -> None:
        self._listeners.append(listener)

    async def _check(
        self, tenant_id: uuid.UUID, project_id: uuid.UUID, event: EventInput, where: str
    ) -> tuple[bytes, list[Violation]]:
        if not topics.is_topic(event.topic):
            raise RequestError(
                "invalid topic",
                code="validation_failed",
                errors=[
                    {
                        "pointer": where + "/topic",
                        "message": TOPIC_RULE,
                    }
                ],
            )
        data = dumps(event.data)
        if len(data) > self._max_event_bytes:
            raise EventTooLarge(
                f"`data` is {len(data)} bytes; the limit is {self._max_event_bytes}",
                errors=[{"pointer": where + "/data", "message": f"over {self._max_event_bytes} bytes"}],
            )
        if nests_deeper_than(event.data, MAX_DATA_DEPTH):
            raise RequestError(
                "`data` is nested too deeply",
                code="validation_failed",
                errors=[{"pointer": where + "/data", "message": f"deeper than {MAX_DATA_DEPTH} levels"}],
            )
        return data, await self._schemas.violations(
            tenant_id, project_id, event.topic, event.data, where + "/data", size=len(data)
        )

    async def _fits(self, project_id: uuid.UUID, messages: list[OutgoingMessage], batch: bool) -> None:
        """Refuse what JetStream would store and drop at once (see the module doc)."""
        max_msgs, max_bytes = await self._streams.limits(project_id)
        sizes = [
            stored_size(m.subject, _header_bytes(dict(m.headers), m.msg_id), len(m.payload)) for m in messages
        ]
        if max_bytes > 0 and sum(sizes) > max_bytes:
            what = "the batch" if batch else "the event"
            raise RetentionExceeded(
                f"{what} takes {sum(sizes)} bytes in the stream; the project's retention keeps at most"
                f" {max_bytes} (`max_bytes`), so it would be removed as soon as stored",
                errors=[{"pointer": "/events" if batch else "/data", "message": f"over {max_bytes} bytes"}],
            )
        if max_msgs > 0 and len(messages) > max_msgs:
            raise RetentionExceeded(
                f"the batch has {len(messages)} events; the project's retention keeps at most {max_msgs}"
                " (`max_events`), so its first events would be removed as soon as stored",
                errors=[{"pointer": "/events", "message": f"over {max_msgs} events"}],
            )

    async def publish(
        self,
        tenant_id: uuid.UUID,
        project_id: uuid.UUID,
        events: Sequence[EventInput],
        *,
        idempotency_key: str | None = None,
        batch: bool = False,
        traceparent: str | None = None,
    ) -> list[Published]:
        prepared: list[tuple[EventInput, bytes]] = []
        violations: list[Violation] = []
        for i, event in enumerate(events):
            data, problems = await self._check(tenant_id, project_id, event, f"/events/{i}" if batch else "")
            prepared.append((event, data))
            violations += problems
        if violations:
            raise SchemaViolation("`data` does not match the schema registered for its topic", violations)
        if not self._broker.is_connected:
            raise DependencyUnavailable("JetStream")

        stamp = now_stamp()
        messages, ids = [], []
        header_sets: list[dict[str, str]] = []
        for i, (event, data) in enumerate(prepared):
            event_id = event.id or uuid.uuid4().hex
            if idempotency_key is not None:
                msg_id = f"k:{idempotency_key}:{i}" if batch else f"k:{idempotency_key}"
            else:
                msg_id = f"e:{event_id}"
            headers = {
                H_ID: event_id,
                H_PUBLISHED_AT: stamp,
                H_BODY_HASH: body_hash(event.topic, event.id, data),
            }
            header_sets.append(headers)
            messages.append(OutgoingMessage(event_subject(project_id, event.topic), data, msg_id, headers))
            ids.append(event_id)

        try:
            epoch = await self._streams.epoch(project_id)
            await self._fits(project_id, messages, batch)
            # One PRODUCER span per publish call (child of the request's span); its context goes
            # into every message, so the gateways' fan-out spans join the publisher's trace.
            # Without a recording tracer the caller's own `traceparent` is carried through.
            with publish_span(messages[0].subject, msg_id=messages[0].msg_id) as (span, trace):
                context = trace.get(H_TRACEPARENT) or traceparent
                if context:
                    for headers in header_sets:
                        headers[H_TRACEPARENT] = context
                span.set_attribute("messaging.batch.message_count", len(messages))
                acks = await self._broker.publish_batch(messages, timeout=PUBLISH_TIMEOUT_SECONDS)
        except APIError as exc:
            if exc.err_code != JS_MESSAGE_TOO_LARGE:
                self._streams.forget(project_id)
                raise DependencyUnavailable("JetStream") from exc
            self._streams.forget(project_id)  # the limits this node knew were stale
            raise RetentionExceeded(
                "the event is larger than the project's retention `max_bytes` allows; nothing "
                "after the first refused event was stored",
                errors=[{"pointer": "/events" if batch else "/data", "message": "over max_bytes"}],
            ) from None
        except (nats.errors.Error, TimeoutError, ConnectionError) as exc:
            # The stream may have been deleted under us: look it up afresh next time.
            self._streams.forget(project_id)
            raise DependencyUnavailable("JetStream") from exc

        results = []
        stored = stored_bytes = 0
        for message, event_id, ack, (event, data) in zip(messages, ids, acks, prepared, strict=True):
            cursor = self._codec.encode(Cursor(project_id, epoch, ack.seq))
            if not ack.duplicate:
                stored += 1
                stored_bytes += len(data)
                results.append(Published(event_id, event.topic, cursor, stamp, False))
                continue
            original = await self._broker.get_message(project_stream(project_id), ack.seq)
            if original is None:
                # Removed by retention within the window: the key is spent either way.
                raise IdempotencyConflict(
                    "this idempotency key was used for an event that is no longer stored"
                )
            if original.headers.get(H_BODY_HASH) != message.headers[H_BODY_HASH]:
                raise IdempotencyConflict(
                    "this idempotency key (or event id) was already used for a different event"
                )
            results.append(
                Published(
                    original.headers.get(H_ID, event_id),
                    event.topic,
                    cursor,
                    original.headers.get(H_PUBLISHED_AT, stamp),
                    True,
                )
            )
        if stored:
            for listener in self._listeners:
                await listener(tenant_id, project_id, stored, stored_bytes)
        return results
