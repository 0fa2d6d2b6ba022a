"""The node's fan-out hub: one JetStream feed per project with local subscribers, never one per
client.

A `Feed` is a JetStream *ordered* push consumer on `tidings.ev.<project>.>`, started at the
stream's end when the first local subscriber of the project arrives and removed when the last
leaves. Ordered consumers are gapless (nats-py recreates the consumer after the last sequence
it delivered when it detects a gap, a missed heartbeat or a reconnection), and every message
carries its stream sequence, so `Feed.position` is exact: every event after it will be handed
to the subscribers, every event up to it already was. That is what lets a subscription go live
with a precise cursor and lets catch-up (history, then live) merge without gap or duplicate.

Per event the feed builds the event's bytes once (`frames.Delivered`), finds the matching
subscriptions (a dict lookup for literal topics, a scan of the distinct wildcard patterns) and
hands the event to each matching connection once. Connections queue it; at the end of the
event-loop tick the hub flushes every connection that received something, so a burst becomes
one `events` frame per connection, encoded once for all connections that share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from tidings_server import topics
from tidings_server.billing.metering import Meter
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import project_wildcard
from tidings_server.events.cursor import Cursor, CursorCodec
from tidings_server.events.envelope import H_ID, H_PUBLISHED_AT, H_TRACEPARENT
from tidings_server.events.streams import ProjectStreams
from tidings_server.observability.metrics import (
    DELIVERY_LATENCY,
    FANOUT_BYTES,
    FANOUT_MESSAGES,
    NODE_PROJECT_SUBSCRIPTIONS,
)
from tidings_server.observability.tracing import receive_span
from tidings_server.realtime.frames import Delivered, encode_event_body

__all__ = ["Feed", "Hub", "Outlet", "Subscription"]

log = logging.getLogger(__name__)

# The stream sequence arrives in the ack subject; the topic is the subject after this prefix.
_SUBJECT_PREFIX_TOKENS = 3


class Outlet(Protocol):
    """A connection, as the hub sees it."""

    transport: str

    def push(self, event: Delivered) -> None:
        """Queue a live event (in stream order)."""
        ...

    def flush(self, cache: dict[tuple[str | int, ...], bytes]) -> tuple[int, int]:
        """Write what is queued (called once per event-loop tick after a push): (frames, bytes)."""
        ...

    def overflow(self) -> None:
        """A subscription's catch-up buffer overflowed: close as a slow consumer."""
        ...


class Subscription:
    """One pattern of one connection. While `buffering`, live events are kept (bounded) for the
    catch-up that merges them after the history it reads."""

    __slots__ = ("buffer", "buffered_bytes", "buffering", "feed", "limit", "outlet", "pattern")

    def __init__(self, pattern: str, outlet: Outlet, *, limit: int) -> None:
        self.pattern = pattern
        self.outlet = outlet
        self.limit = limit
        self.buffering = False
        self.buffer: list[Delivered] = []
        self.buffered_bytes = 0
        self.feed: Feed | None = None

    def keep(self, event: Delivered) -> None:
        self.buffer.append(event)
        self.buffered_bytes += len(event.body)
        if self.buffered_bytes > self.limit:
            self.buffer.clear()
            self.outlet.overflow()


def _published(stamp: str | None) -> float:
    if not stamp:
        return 0.0
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return 0.0


class Feed:
    """The project's live events on this node."""

    def __init__(self, hub: Hub, project_id: uuid.UUID, epoch: int, position: int) -> None:
        self.hub = hub
        self.project_id = project_id
        self.epoch = epoch
        self.position = position
        """Stream sequence of the last event handed to subscribers (exact; see the module doc)."""
        self.tenant_id: uuid.UUID | None = None
        """The project's tenant (set by the first subscriber), for metering deliveries."""
        self.delivered = 0
        """Events handed to connections since the hub last metered them."""
        self.literal: dict[str, dict[Outlet, Subscription]] = {}
        self.wild: dict[str, dict[Outlet, Subscription]] = {}
        self.buffering: dict[Subscription, None] = {}
        self.count = 0
        self.nats_sub: object | None = None
        self._prefix = project_wildcard(project_id)[:-1]

    def cursor(self, seq: int | None = None) -> str:
        return self.hub.codec.encode(
            Cursor(self.project_id, self.epoch, self.position if seq is None else seq)
        )

    # --- membership (synchronous: no event can interleave) -------------------------------------

    def add(self, sub: Subscription, *, buffering: bool, tenant_id: uuid.UUID | None = None) -> None:
        if tenant_id is not None:
            self.tenant_id = tenant_id
        sub.feed = self
        self.count += 1
        if buffering:
            sub.buffering = True
            self.buffering[sub] = None
        else:
            self._go_live(sub)

    def _go_live(self, sub: Subscription) -> None:
        table = self.wild if ("*" in sub.pattern or ">" in sub.pattern) else self.literal
        table.setdefault(sub.pattern, {})[sub.outlet] = sub

    def promote(self, sub: Subscription) -> list[Delivered]:
        """End buffering: the buffered events (the caller delivers those after its catch-up)."""
        self.buffering.pop(sub, None)
        sub.buffering = False
        kept, sub.buffer, sub.buffered_bytes = sub.buffer, [], 0
        self._go_live(sub)
        return kept

    def remove(self, sub: Subscription) -> None:
        if sub.feed is not self:
            return
        sub.feed = None
        self.count -= 1
        if sub.buffering:
            self.buffering.pop(sub, None)
            sub.buffering = False
            sub.buffer.clear()
            return
        table = self.wild if ("*" in sub.pattern or ">" in sub.pattern) else self.literal
        group = table.get(sub.pattern)
        if group is not None and group.get(sub.outlet) is sub:
            del group[sub.outlet]
            if not group:
                del table[sub.pattern]

    # --- delivery ----------------------------------------------------------------------------

    async def on_message(self, msg: Msg) -> None:
        try:
            seq = msg.metadata.sequence.stream
        except Exception:  # noqa: BLE001 - a flow-control or heartbeat message has no metadata
            return
        if seq <= self.position:
            return  # redelivered after the ordered consumer reset: already handed out
        headers = msg.headers or {}
        topic = msg.subject.split(".", _SUBJECT_PREFIX_TOKENS)[-1]
        stamp = headers.get(H_PUBLISHED_AT)
        cursor = self.hub.codec.encode(Cursor(self.project_id, self.epoch, seq))
        trace = headers.get(H_TRACEPARENT)
        event = Delivered(
            seq=seq,
            topic=topic,
            cursor=cursor,
            body=encode_event_body(headers.get(H_ID, str(seq)), topic, msg.data, stamp or "", cursor, trace),
            published=_published(stamp),
        )
        if trace and self.hub.tracing:
            with receive_span("gateway fanout", msg.subject, headers, attributes={"tidings.seq": seq}):
                self.deliver(event)
        else:
            self.deliver(event)

    def deliver(self, event: Delivered) -> None:
        self.position = event.seq
        topic = event.topic
        for sub in self.buffering:
            if topics.matches(sub.pattern, topic):
                sub.keep(event)
        targets = self.literal.get(topic)
        if self.wild:
            matched = [group for pattern, group in self.wild.items() if topics.matches(pattern, topic)]
            if matched:
                if targets is not None or len(matched) > 1:
                    merged: dict[Outlet, Subscription] = dict(targets or {})
                    for group in matched:
                        merged.update(group)
                    targets = merged
                else:
                    targets = matched[0]
        if not targets:
            return
        self.hub.delivered(event, self)
        self.delivered += len(targets)
        for outlet in list(targets):
            outlet.push(event)


class Hub:
    def __init__(
        self,
        broker: JetStreamBroker,
        streams: ProjectStreams,
        codec: CursorCodec,
        *,
        tracing: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.broker = broker
        self.streams = streams
        self.codec = codec
        self.tracing = tracing
        self._clock = clock
        self.feeds: dict[uuid.UUID, Feed] = {}
        self._starting: dict[uuid.UUID, asyncio.Future[Feed]] = {}
        self._dirty: dict[Outlet, None] = {}
        self._flush_scheduled = False
        self._tick_events: list[Delivered] = []
        self._tick_feeds: dict[Feed, None] = {}
        self.meter: Meter | None = None
        """Billing's usage meter: deliveries are metered once per tick and project."""
        self._closing: set[asyncio.Task[None]] = set()

    async def feed(self, project_id: uuid.UUID) -> Feed:
        """The project's feed on this node, started if needed (concurrent callers share one)."""
        feed = self.feeds.get(project_id)
        if feed is not None:
            return feed
        starting = self._starting.get(project_id)
        if starting is not None:
            return await asyncio.shield(starting)
        future: asyncio.Future[Feed] = asyncio.get_running_loop().create_future()
        self._starting[project_id] = future
        try:
            feed = await self._start(project_id)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it, nobody else needs to
            raise
        finally:
            self._starting.pop(project_id, None)
        self.feeds[project_id] = feed
        future.set_result(feed)
        NODE_PROJECT_SUBSCRIPTIONS.inc()
        return feed

    async def _start(self, project_id: uuid.UUID) -> Feed:
        state = await self.streams.state(project_id)
        feed = Feed(self, project_id, state.epoch, state.last_seq)
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=state.last_seq + 1
        )
        feed.nats_sub = await self.broker.nc.jetstream().subscribe(
            project_wildcard(project_id),
            cb=feed.on_message,
            ordered_consumer=True,
            config=config,
            idle_heartbeat=5.0,
        )
        return feed

    def release(self, feed: Feed) -> None:
        """Stop the feed once it has no subscription left (called after `Feed.remove`)."""
        if feed.count > 0 or self.feeds.get(feed.project_id) is not feed:
            return
        del self.feeds[feed.project_id]
        NODE_PROJECT_SUBSCRIPTIONS.dec()
        task = asyncio.get_running_loop().create_task(self._stop(feed))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @staticmethod
    async def _stop(feed: Feed) -> None:
        sub = feed.nats_sub
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()  # type: ignore[attr-defined]

    # --- flushing ----------------------------------------------------------------------------

    def schedule(self, outlet: Outlet) -> None:
        self._dirty[outlet] = None
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def delivered(self, event: Delivered, feed: Feed) -> None:
        if event.published:
            self._tick_events.append(event)
        self._tick_feeds[feed] = None

    def _flush(self) -> None:
        self._flush_scheduled = False
        dirty, self._dirty = self._dirty, {}
        cache: dict[tuple[str | int, ...], bytes] = {}
        totals: dict[str, list[int]] = {}
        for outlet in dirty:
            try:
                frames, sent = outlet.flush(cache)
            except Exception:
                log.exception("flushing a connection failed")
                continue
            if frames:
                total = totals.setdefault(outlet.transport, [0, 0])
                total[0] += frames
                total[1] += sent
        if self._tick_feeds:
            feeds, self._tick_feeds = self._tick_feeds, {}
            for feed in feeds:
                if self.meter is not None and feed.tenant_id is not None and feed.delivered:
                    self.meter.record(feed.tenant_id, feed.project_id, "messages_delivered", feed.delivered)
                feed.delivered = 0
        # Metrics once per tick and transport, never per connection (the hot path).
        for transport, (frames, sent) in totals.items():
            FANOUT_MESSAGES.labels(transport).inc(frames)
            FANOUT_BYTES.labels(transport).inc(sent)
        if self._tick_events:
            now = self._clock()
            for transport in totals:
                histogram = DELIVERY_LATENCY.labels(transport)
                for event in self._tick_events:
                    histogram.observe(max(0.0, now - event.published))
            self._tick_events = []

    async def close(self) -> None:
        for feed in list(self.feeds.values()):
            await self._stop(feed)
            NODE_PROJECT_SUBSCRIPTIONS.dec()
        self.feeds.clear()
        for task in list(self._closing):
            with contextlib.suppress(BaseException):
                await task
