"""Reading a project's events by cursor: REST replay now, the realtime gateway later.

Interface for the gateway (and its guarantees):

- `EventHistory.read(project_id, after=cursor, topic=pattern, limit=n)` returns the stored
  events after `cursor` that match `pattern`, in stream order (strictly increasing cursors),
  at most `n`, with `next_cursor` (where the next read starts) and `more`. Reading again from
  `next_cursor` neither skips nor repeats an event. A cursor whose following events were
  removed by retention, or of an earlier incarnation (epoch) of the stream, raises
  `CursorExpired` carrying the oldest valid cursor: never a silent gap. A cursor of another
  project raises `NotFound`.
- `EventHistory.event(project_id, epoch, message)` turns a stored message into the delivered
  `Event` (the same envelope REST answers). To merge live and stored events without gap or
  duplicate, the gateway consumes the project's stream through JetStream (so live messages
  carry their sequence), buffers live events while reading history, and drops every live event
  whose cursor is not after the last one it sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tidings_server.broker.base import StoredMessage
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import event_subject, project_stream
from tidings_server.errors import NotFound
from tidings_server.events.cursor import Cursor, CursorCodec
from tidings_server.events.envelope import (
    H_ID,
    H_PUBLISHED_AT,
    H_SEQ,
    H_TRACEPARENT,
    Event,
    decode_data,
    topic_of,
)
from tidings_server.events.errors import CursorExpired
from tidings_server.events.streams import ProjectStreams

__all__ = ["EventHistory", "HistoryPage"]


@dataclass(frozen=True, slots=True)
class HistoryPage:
    events: list[Event]
    next_cursor: str
    more: bool


class EventHistory:
    def __init__(self, broker: JetStreamBroker, streams: ProjectStreams, codec: CursorCodec) -> None:
        self._broker = broker
        self._streams = streams
        self._codec = codec

    @property
    def codec(self) -> CursorCodec:
        return self._codec

    def cursor_at(self, project_id: uuid.UUID, epoch: int, seq: int) -> str:
        return self._codec.encode(Cursor(project_id, epoch, seq))

    def event(self, project_id: uuid.UUID, epoch: int, message: StoredMessage) -> Event:
        seq = int(message.headers.get(H_SEQ) or message.seq)
        stamp = message.headers.get(H_PUBLISHED_AT)
        if stamp is None and message.time is not None:
            stamp = message.time.isoformat().replace("+00:00", "Z")
        trace = message.headers.get(H_TRACEPARENT)
        return Event(
            id=message.headers.get(H_ID, str(seq)),
            topic=topic_of(message),
            data=decode_data(message),
            published_at=stamp or "",
            cursor=self._codec.encode(Cursor(project_id, epoch, seq)),
            seq=seq,
            headers={"traceparent": trace} if trace else None,
        )

    def _position(self, project_id: uuid.UUID, text: str, parameter: str, epoch: int, first_seq: int) -> int:
        cursor = self._codec.decode(text)
        if cursor.project_id != project_id:
            raise NotFound("this cursor belongs to another project")
        oldest = self._codec.encode(Cursor(project_id, epoch, first_seq - 1))
        if cursor.epoch != epoch:
            raise CursorExpired(
                "the project's stream was recreated since this cursor was issued",
                parameter=parameter,
                oldest_cursor=oldest,
            )
        if cursor.seq < first_seq - 1:
            raise CursorExpired(
                "events after this cursor were removed by the retention policy",
                parameter=parameter,
                oldest_cursor=oldest,
            )
        return cursor.seq

    async def read(
        self,
        project_id: uuid.UUID,
        *,
        after: str | None = None,
        before: str | None = None,
        since: datetime | None = None,
        topic: str | None = None,
        limit: int = 100,
    ) -> HistoryPage:
        state = await self._streams.state(project_id)
        start = self._position(project_id, after, "after", state.epoch, state.first_seq) if after else 0
        stop = self._position(project_id, before, "before", state.epoch, 1) + 1 if before else None
        page = await self._broker.read(
            project_stream(project_id),
            subjects=[event_subject(project_id, topic or ">")],
            start_seq=None if since is not None and after is None else start + 1,
            start_time=since if after is None else None,
            limit=limit,
            stop_seq=stop,
        )
        events = [self.event(project_id, state.epoch, m) for m in page.messages]
        if events:
            position = events[-1].seq
        elif stop is None:
            # Nothing matched up to the state read before the fetch: the filter has seen it all.
            position = max(start, state.last_seq)
        else:
            position = start
        return HistoryPage(events, self._codec.encode(Cursor(project_id, state.epoch, position)), page.more)
