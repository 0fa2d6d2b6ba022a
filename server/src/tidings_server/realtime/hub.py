"""The node's fan-out hub: one JetStream feed per project with local subscribers, never one per
client.

A `Feed` is a JetStream *ordered* push consumer on `tidings.ev.<project>.>`, started at the
stream's end when the first local subscriber of the project arrives and removed when the last
leaves. Ordered consumers are gapless (nats-py recreates the consumer after the last sequence
it delivered when it detects a gap, a missed heartbeat or a reconnection), and every message
carries its stream sequence, so `Feed.position` is exact: every event after it will be handed
to the subscribers, every event up to it already was. That is what lets a subscription go live
with a precise cursor and lets catch-up (history, then live) merge without gap or duplicate.

The feed's position can lag behind what a subscription has already been sent: after a NATS
restart the feed is at its pre-restart position while a resuming client's catch-up reads the
history past it. Each subscription therefore remembers its `floor` (the last sequence it was
sent outside the feed) and the feed never hands it an event at or below that floor: nothing a
subscription was sent is ever sent to it again, and its order is the stream's.

When the NATS connection comes back the hub re-creates every feed's consumer at once from its
exact position (it does not wait for nats-py to notice missed heartbeats), retrying until
JetStream answers; `live` is False from the disconnection until every feed is back, and
readiness reports it.

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
from collections.abc import Awaitable, Callable
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
# nats-py re-creates an ordered consumer after two missed heartbeats; reconnections are handled
# at once by the hub (`Hub._connection_back`), this only covers a consumer lost otherwise.
FEED_HEARTBEAT_SECONDS = 5.0
# Re-creating a feed after a reconnection: JetStream may need a moment after nats-server
# accepts connections again (it recovers its streams first).
RESUBSCRIBE_FIRST_DELAY_SECONDS = 0.05
RESUBSCRIBE_MAX_DELAY_SECONDS = 1.0


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

    __slots__ = ("buffer", "buffered_bytes", "buffering", "feed", "floor", "limit", "outlet", "pattern")

    def __init__(self, pattern: str, outlet: Outlet, *, limit: int) -> None:
        self.pattern = pattern
        self.outlet = outlet
        self.limit = limit
        self.buffering = False
        self.buffer: list[Delivered] = []
        self.buffered_bytes = 0
        self.feed: Feed | None = None
        self.floor = 0
        """The last sequence this subscription was sent by its catch-up: the feed hands it only
        later events."""

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
        self.floor = 0
        """The highest `Subscription.floor` of this feed's subscriptions: events above it need
        no per-subscription check (the hot path)."""
        self.nats_sub: object | None = None
        self.generation = 0
        """Bumped whenever the consumer is replaced: messages of an older one are ignored."""
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

    def promote(self, sub: Subscription, sent: int) -> list[Delivered]:
        """End buffering after a catch-up that sent the subscription every event up to `sent`:
        the buffered events after it (the caller queues those), and from now on only live
        events after it."""
        self.buffering.pop(sub, None)
        sub.buffering = False
        kept, sub.buffer, sub.buffered_bytes = sub.buffer, [], 0
        sub.floor = sent
        if sent > self.floor:
            self.floor = sent
        self._go_live(sub)
        return [event for event in kept if event.seq > sent]

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

    def receiver(self) -> Callable[[Msg], Awaitable[None]]:
        """The callback of a new consumer: a new generation, so the previous one goes quiet."""
        self.generation += 1
        generation = self.generation

        async def receive(msg: Msg) -> None:
            if generation == self.generation:
                await self.on_message(msg)

        return receive

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
        if event.seq <= self.floor:
            # Some subscription's catch-up already sent events up to its floor (the feed was
            # behind the history it read): hand this one only to those that are not past it.
            targets = {outlet: sub for outlet, sub in targets.items() if event.seq > sub.floor}
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
        self._down: dict[Feed, asyncio.Task[None]] = {}
        """Feeds whose consumer is being re-created after a reconnection."""
        self._disconnected = False
        broker.on_disconnect(self._connection_lost)
        broker.on_reconnect(self._connection_back)

    @property
    def live(self) -> bool:
        """Whether live delivery works: connected, and every feed's consumer is established."""
        return not self._disconnected and not self._down and self.broker.is_connected

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
        await self._subscribe(feed)
        return feed

    async def _subscribe(self, feed: Feed) -> None:
        """Start the feed's ordered consumer right after its position."""
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=feed.position + 1
        )
        feed.nats_sub = await self.broker.nc.jetstream().subscribe(
            project_wildcard(feed.project_id),
            cb=feed.receiver(),
            ordered_consumer=True,
            config=config,
            idle_heartbeat=FEED_HEARTBEAT_SECONDS,
        )

    # --- NATS reconnection -------------------------------------------------------------------

    async def _connection_lost(self) -> None:
        self._disconnected = True

    async def _connection_back(self) -> None:
        """Re-create every feed's consumer from its position now (the consumers did not survive
        a NATS restart; nats-py would only notice after missed heartbeats). Never blocks the
        reconnection: each feed is re-established by its own task, retrying until it works."""
        self._disconnected = False
        for feed in list(self.feeds.values()):
            old = self._down.pop(feed, None)
            if old is not None:
                old.cancel()
            self._down[feed] = asyncio.get_running_loop().create_task(self._reestablish(feed))

    async def _reestablish(self, feed: Feed) -> None:
        try:
            await self._resubscribe(feed)
        finally:
            if self._down.get(feed) is asyncio.current_task():
                del self._down[feed]

    async def _resubscribe(self, feed: Feed) -> None:
        delay = RESUBSCRIBE_FIRST_DELAY_SECONDS
        while self.feeds.get(feed.project_id) is feed:
            old, feed.nats_sub = feed.nats_sub, None
            feed.generation += 1  # the old consumer's messages are ignored from now on
            if old is not None:
                with contextlib.suppress(Exception):
                    await old.unsubscribe()  # type: ignore[attr-defined]
            try:
                await self._subscribe(feed)
            except Exception as exc:  # noqa: BLE001 - JetStream may still be starting: retry
                log.info("re-creating the feed of project %s failed (%s); retrying", feed.project_id, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUBSCRIBE_MAX_DELAY_SECONDS)
                continue
            log.info("feed of project %s re-established after seq %d", feed.project_id, feed.position)
            if self.feeds.get(feed.project_id) is not feed:
                await self._stop(feed)  # released while re-subscribing
            return

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
        for task in list(self._down.values()):
            task.cancel()
        for feed in list(self.feeds.values()):
            await self._stop(feed)
            NODE_PROJECT_SUBSCRIPTIONS.dec()
        self.feeds.clear()
        for task in list(self._closing):
            with contextlib.suppress(BaseException):
                await task
