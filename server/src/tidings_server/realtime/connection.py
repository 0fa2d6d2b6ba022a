"""One realtime connection, whatever its transport: protocol session, subscriptions, catch-up,
durable delivery, the bounded send queue and the close path.

The transports (`websocket.py`, `sse.py`) supply five primitives — write bytes without waiting,
how many bytes are still unsent, wait for the socket to drain, encode frames, terminate — and
feed client frames to `receive`. Everything else is here, once.

Send queue: live events are queued by the hub and written at the end of the event-loop tick,
packed by count and bytes. What is written but not yet taken by the socket (the transport's
buffer) is bounded by `send_queue_bytes`; past it the connection is closed with `slow_consumer`
at once — it never slows the others and never grows memory without bound; the client resumes
from its last cursor and loses nothing.

Catch-up (subscribe with a cursor): the subscription is attached to the project's feed first,
buffering live events; history after the cursor is read and sent page by page (waiting for the
socket to drain, so replay never overflows the queue); then the buffered events after the last
one sent are queued and the subscription goes live, in one synchronous step. Attaching before
reading and the feed's exact position make it gapless; comparing sequences makes it free of
duplicates. A cursor older than retention or of an earlier stream epoch gets a `reset` frame
and the replay continues from the oldest stored event.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import nats.errors
import orjson

from tidings_server.auth.principal import Principal
from tidings_server.errors import DependencyUnavailable, NotFound, RequestError
from tidings_server.events.errors import CursorExpired, InvalidCursor
from tidings_server.observability.metrics import (
    FANOUT_BYTES,
    FANOUT_MESSAGES,
    QUEUE_DROPS,
    SLOW_CONSUMER_DISCONNECTS,
    SUBSCRIPTIONS,
)
from tidings_server.realtime import protocol
from tidings_server.realtime.frames import Delivered
from tidings_server.realtime.hub import Subscription
from tidings_server.spec import error_registry
from tidings_server.store.models import DurableSubscription

if TYPE_CHECKING:
    from tidings_server.realtime.gateway import Gateway

__all__ = ["Connection", "close_details"]

log = logging.getLogger(__name__)

_ids = itertools.count(1)
_NODE = f"{os.getpid():x}"
# Durable delivery: unacknowledged events held per durable subscription before pulling more.
DURABLE_IN_FLIGHT = 1000
DURABLE_PULL_WAIT_SECONDS = 5.0


def close_details(code: str) -> tuple[int, bool]:
    """(WebSocket close code, whether the client should reconnect) for a registry code."""
    spec = error_registry()[code]
    return spec.close_code or 4500, spec.action == "reconnect"


class Connection:
    # Slots: tens of thousands of these live in one process; no per-instance __dict__.
    __slots__ = (
        "_batch_bytes",
        "_batch_events",
        "_limit",
        "_timers",
        "accounted",
        "close_code",
        "closed",
        "durable_of",
        "durable_rows",
        "durable_tokens",
        "gateway",
        "id",
        "pending",
        "pending_bytes",
        "principal",
        "project_id",
        "session",
        "subs",
        "tasks",
        "tenant_id",
        "tier",
    )
    transport = "abstract"

    def __init__(self, gateway: Gateway, principal: Principal, project_id: uuid.UUID) -> None:
        self.gateway = gateway
        self.principal = principal
        self.project_id = project_id
        assert principal.tenant_id is not None
        self.tenant_id: uuid.UUID = principal.tenant_id
        self.id = f"{_NODE}-{next(_ids):x}"
        self.tier = "other"  # the tenant's plan tier (a metrics label), set on registration
        self.accounted = time.monotonic()
        """Up to when the connection's time was metered (billing's connection-seconds)."""
        settings = gateway.settings
        self.session = protocol.Session(
            grants=principal.grants,
            max_subscriptions=settings.max_subscriptions,
            max_frame_bytes=settings.max_frame_bytes,
        )
        self.subs: dict[str, Subscription] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.durable_tokens: dict[str, dict[str, str]] = {}
        """durable name → event cursor → ack token, for acknowledgements by cursor."""
        self.durable_rows: dict[str, DurableSubscription] = {}
        self.durable_of: dict[str, str] = {}
        """pattern → durable name, for the durable subscriptions this connection consumes."""
        self.pending: list[Delivered] = []
        self.pending_bytes = 0
        self.closed = False
        self.close_code: str | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._limit = settings.send_queue_bytes
        self._batch_events = settings.batch_max_events
        self._batch_bytes = settings.batch_max_bytes

    # --- transport primitives ------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def buffered(self) -> int:
        raise NotImplementedError

    async def drain(self) -> None:
        raise NotImplementedError

    def encode(self, events: Sequence[Delivered], durable: str | None = None) -> bytes:
        """Events as this transport writes them (what `write_encoded` takes)."""
        raise NotImplementedError

    @property
    def encoding(self) -> str:
        """What `encode` produces; connections with the same encoding share encoded frames."""
        return self.transport

    def write_encoded(self, data: bytes) -> None:
        """Write what `encode` returned (the same bytes for every connection that shares them)."""
        self.write(data)

    def encode_frame(self, frame: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def terminate(self, close_code: int, reason: str) -> None:
        raise NotImplementedError

    def finished(self) -> bool:
        """Whether the transport is done (closed and flushed)."""
        raise NotImplementedError

    # --- lifecycle -------------------------------------------------------------------------

    def opened(self) -> None:
        """After the transport is up and registered: arm the credential and idle timers."""
        self._arm_expiry()
        self._arm_idle()

    def _timer(self, name: str, delay: float | None, code: str, message: str) -> None:
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()
        if delay is not None and not self.closed:
            self._timers[name] = asyncio.get_running_loop().call_later(
                max(0.0, delay), self.close, code, message
            )

    def _arm_expiry(self) -> None:
        expires = self.principal.expires_at
        self._timer(
            "expiry",
            None if expires is None else expires - time.time(),
            "token_expired",
            "the credential expired; send `auth` with a fresh token before it does",
        )

    def _arm_idle(self) -> None:
        self._timer(
            "idle",
            None if self.subs or self.tasks else self.gateway.settings.idle_timeout,
            "idle_timeout",
            "no subscription for too long",
        )

    def close(self, code: str, message: str) -> None:
        """End the connection: an `error` frame with the registry's close code, then the close."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._release_all()
        close_code, retry = close_details(code)
        with contextlib.suppress(Exception):
            self.write(
                self.encode_frame(protocol.error_frame(code, message, close_code=close_code, retry=retry))
            )
        self.release_slot(code)
        with contextlib.suppress(Exception):
            self.terminate(close_code, code)

    def release_slot(self, reason: str) -> None:
        """Leave the gateway's counts (a transport may wait until its socket is really gone)."""
        self.gateway.closed(self, reason)

    def lost(self) -> None:
        """The peer went away (or the transport ended): free everything at once."""
        if self.closed:
            return
        self.closed = True
        self.close_code = "peer"
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._release_all()
        self.release_slot("peer")

    def _release_all(self) -> None:
        for pattern in list(self.subs):
            self._stop(pattern)
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
        self.pending.clear()
        self.pending_bytes = 0

    # --- the hub's side ------------------------------------------------------------------------

    def push(self, event: Delivered) -> None:
        if self.closed:
            return
        self.pending.append(event)
        self.pending_bytes += len(event.body)
        if len(self.pending) == 1:
            self.gateway.hub.schedule(self)
        # What the socket has not taken yet, beyond this tick's events (always written at the
        # end of the tick, so one event larger than the bound still goes out).
        if self.buffered() > self._limit:
            QUEUE_DROPS.labels(self.transport).inc()
            self.overflow()

    def overflow(self) -> None:
        if self.closed:
            return
        SLOW_CONSUMER_DISCONNECTS.labels(self.transport).inc()
        self.close("slow_consumer", "the connection did not keep up; reconnect and resume from your cursor")

    def _chunks(self, events: list[Delivered]) -> list[list[Delivered]]:
        if len(events) == 1:
            return [events]
        chunks: list[list[Delivered]] = []
        chunk: list[Delivered] = []
        size = 0
        for event in events:
            if chunk and (len(chunk) >= self._batch_events or size + len(event.body) > self._batch_bytes):
                chunks.append(chunk)
                chunk, size = [], 0
            chunk.append(event)
            size += len(event.body)
        chunks.append(chunk)
        return chunks

    def flush(self, cache: dict[tuple[str | int, ...], bytes]) -> tuple[int, int]:
        """Write what the hub queued this tick; (frames, bytes) written. Frames are looked up in
        `cache` (shared by every connection flushed in this tick): connections that received
        the same events share the same encoded bytes."""
        if self.closed or not self.pending:
            return 0, 0
        events, self.pending, self.pending_bytes = self.pending, [], 0
        frames = sent = 0
        encoding = self.encoding
        for chunk in self._chunks(events):
            # The same sequences in the same encoding are the same bytes.
            key: tuple[str | int, ...] = (
                (encoding, chunk[0].seq) if len(chunk) == 1 else (encoding, *(e.seq for e in chunk))
            )
            data = cache.get(key)
            if data is None:
                data = cache[key] = self.encode(chunk)
            self.write_encoded(data)
            frames += 1
            sent += len(data)
        return frames, sent

    async def send_events(self, events: list[Delivered], durable: str | None = None) -> None:
        """Write events with flow control (replay, durable delivery): waits while the socket is busy."""
        for chunk in self._chunks(events):
            if self.closed:
                return
            data = self.encode(chunk, durable)
            self.write_encoded(data)
            self.gateway.meter.record(self.tenant_id, self.project_id, "messages_delivered", len(chunk))
            FANOUT_MESSAGES.labels(self.transport).inc()
            FANOUT_BYTES.labels(self.transport).inc(len(data))
            await self.drain()

    def reply(self, frame: dict[str, Any]) -> None:
        if not self.closed:
            self.write(self.encode_frame(frame))

    # --- client frames ---------------------------------------------------------------------

    async def receive(self, data: str | bytes) -> None:
        for command in self.session.receive(data):
            if self.closed:
                return
            await self.execute(command)

    async def execute(self, command: protocol.Command) -> None:
        if isinstance(command, protocol.Reply):
            self.reply(command.frame)
        elif isinstance(command, protocol.StartSubscription):
            await self.start(command)
        elif isinstance(command, protocol.StopSubscription):
            self._stop(command.topic)
        elif isinstance(command, protocol.AckDelivery):
            await self._ack(command)
        elif isinstance(command, protocol.Reauthenticate):
            await self._reauthenticate(command)
        elif isinstance(command, protocol.Close):
            self.close(command.code, command.message)

    # --- subscriptions -----------------------------------------------------------------------

    def _count(self) -> None:
        self._arm_idle()

    async def start(self, command: protocol.StartSubscription) -> None:
        pattern = command.topic
        self._stop(pattern)
        if command.durable is not None:
            await self._start_durable(command)
            return
        if command.cursor is not None:
            try:
                position = self.gateway.codec.decode(command.cursor)
                if position.project_id != self.project_id:
                    raise InvalidCursor("this cursor belongs to another project")
            except InvalidCursor as exc:
                self.session.subscriptions.pop(pattern, None)
                self.reply(protocol.error_frame("invalid_cursor", str(exc), command.id))
                return
        sub = Subscription(pattern, self, limit=self._limit)
        try:
            feed = await self.gateway.hub.feed(self.project_id)
        except Exception as exc:  # noqa: BLE001 - NATS or the database: the client reconnects
            log.warning("could not start the project's feed: %s", exc)
            self.session.subscriptions.pop(pattern, None)
            self.close("dependency_unavailable", "the event store is unavailable; reconnect and resume")
            return
        if self.closed:
            self.gateway.hub.release(feed)  # closed while the feed started: do not leave it running
            return
        ack: dict[str, Any] = {"type": "subscribed", "topic": pattern}
        if command.id:
            ack["id"] = command.id
        self.subs[pattern] = sub
        SUBSCRIPTIONS.labels(self.transport).inc()
        if command.cursor is None:
            feed.add(sub, buffering=False, tenant_id=self.tenant_id)
            ack["cursor"] = feed.cursor()
            self.reply(ack)
        else:
            feed.add(sub, buffering=True, tenant_id=self.tenant_id)
            ack["cursor"] = command.cursor
            self.reply(ack)
            self.tasks[pattern] = asyncio.get_running_loop().create_task(
                self._catch_up(sub, command.cursor, command.id)
            )
        self._count()

    def _stop(self, pattern: str) -> None:
        sub = self.subs.pop(pattern, None)
        if sub is not None:
            SUBSCRIPTIONS.labels(self.transport).dec()
            feed = sub.feed
            if feed is not None:
                feed.remove(sub)
                self.gateway.hub.release(feed)
        task = self.tasks.pop(pattern, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        name = self.durable_of.pop(pattern, None)
        if name is not None:
            self.durable_rows.pop(name, None)
            self.durable_tokens.pop(name, None)
        if not self.closed:
            self._count()

    async def _catch_up(self, sub: Subscription, cursor: str, frame_id: str | None) -> None:
        history = self.gateway.history
        after = cursor
        last_seq: int | None = None
        try:
            while not self.closed:
                try:
                    page = await history.read(
                        self.project_id, after=after, topic=sub.pattern, limit=self._batch_events
                    )
                except CursorExpired as exc:
                    reason = "expired"
                    with contextlib.suppress(InvalidCursor):
                        feed = sub.feed
                        if feed is not None and self.gateway.codec.decode(after).epoch != feed.epoch:
                            reason = "epoch"
                    reset: dict[str, Any] = {
                        "type": "reset",
                        "topic": sub.pattern,
                        "oldest_cursor": exc.oldest_cursor,
                        "reason": reason,
                    }
                    if frame_id:
                        reset["id"] = frame_id
                    self.reply(reset)
                    after = exc.oldest_cursor
                    continue
                events = [Delivered(e.seq, e.topic, e.cursor, orjson.dumps(e.to_json())) for e in page.events]
                if events:
                    last_seq = events[-1].seq
                    await self.send_events(events)
                after = page.next_cursor
                if not page.more:
                    break
            if self.closed or sub.feed is None:
                return
            if last_seq is None:
                last_seq = self.gateway.codec.decode(after).seq
            # Synchronous from here: no live event can slip between the history and going live,
            # and the feed sends nothing at or below `last_seq` again (even when it is behind).
            for event in sub.feed.promote(sub, last_seq):
                self.push(event)
        except (InvalidCursor, NotFound) as exc:
            self.reply(protocol.error_frame("invalid_cursor", str(exc), frame_id))
            self.session.subscriptions.pop(sub.pattern, None)
            self.tasks.pop(sub.pattern, None)
            self._stop(sub.pattern)
        except asyncio.CancelledError:
            raise
        except (DependencyUnavailable, nats.errors.Error, TimeoutError, ConnectionError):
            self.close("dependency_unavailable", "the event store is unavailable; reconnect and resume")
        except Exception:
            log.exception("catch-up failed")
            self.close("internal_error", "replay failed; reconnect and resume")
        finally:
            if self.tasks.get(sub.pattern) is asyncio.current_task():
                del self.tasks[sub.pattern]

    # --- durable subscriptions ---------------------------------------------------------------

    async def _start_durable(self, command: protocol.StartSubscription) -> None:
        name = command.durable
        assert name is not None
        try:
            row = await self.gateway.durable_row(self.tenant_id, self.project_id, name)
        except Exception:  # noqa: BLE001 - the database is down: the client reconnects
            self.session.subscriptions.pop(command.topic, None)
            self.close("dependency_unavailable", "the database is unavailable; reconnect")
            return
        refusal: tuple[str, str] | None = None
        if row is None:
            refusal = ("not_found", f"no durable subscription named {name!r}")
        elif row.topic != command.topic:
            refusal = (
                "forbidden",
                f"durable subscription {name!r} is on {row.topic!r}, not {command.topic!r}",
            )
        elif any(n == name for p, n in self.session.subscriptions.items() if p != command.topic):
            refusal = ("forbidden", f"durable subscription {name!r} is already consumed by this connection")
        if refusal is not None or row is None:
            self.session.subscriptions.pop(command.topic, None)
            code, message = refusal or ("not_found", "no such durable subscription")
            self.reply(protocol.error_frame(code, message, command.id))
            return
        self.durable_rows[name] = row
        self.durable_tokens[name] = {}
        self.durable_of[command.topic] = name
        ack: dict[str, Any] = {"type": "subscribed", "topic": command.topic, "durable": name}
        if command.id:
            ack["id"] = command.id
        self.reply(ack)
        SUBSCRIPTIONS.labels(self.transport).inc()
        self.subs[command.topic] = Subscription(command.topic, self, limit=self._limit)
        self.tasks[command.topic] = asyncio.get_running_loop().create_task(self._durable_loop(row))
        self._count()

    async def _durable_loop(self, row: DurableSubscription) -> None:
        durable = self.gateway.durable
        tokens = self.durable_tokens[row.name]
        try:
            while not self.closed:
                room = DURABLE_IN_FLIGHT - len(tokens)
                if room <= 0:
                    await asyncio.sleep(0.05)
                    continue
                pulled = await durable.pull(
                    row, batch=min(room, self._batch_events), wait=DURABLE_PULL_WAIT_SECONDS
                )
                if not pulled or self.closed:
                    continue
                events = []
                for item in pulled:
                    tokens[item.event.cursor] = item.ack_token
                    events.append(
                        Delivered(
                            item.event.seq,
                            item.event.topic,
                            item.event.cursor,
                            orjson.dumps(item.event.to_json()),
                        )
                    )
                await self.send_events(events, durable=row.name)
        except asyncio.CancelledError:
            raise
        except (DependencyUnavailable, nats.errors.Error, TimeoutError, ConnectionError):
            self.close("dependency_unavailable", "the event store is unavailable; reconnect")
        except Exception:
            log.exception("durable delivery failed")
            self.close("internal_error", "durable delivery failed; reconnect")

    async def _ack(self, command: protocol.AckDelivery) -> None:
        row = self.durable_rows.get(command.durable)
        tokens = self.durable_tokens.get(command.durable, {})
        token = tokens.get(command.cursor)
        if row is None or token is None:
            message = "no unacknowledged delivery of this subscription has that cursor"
            self.reply(protocol.error_frame("invalid_ack_token", message, command.id))
            return
        try:
            await self.gateway.durable.ack(row, [token])
        except RequestError as exc:
            self.reply(protocol.error_frame(exc.code, exc.detail or exc.code, command.id))
            return
        except DependencyUnavailable:
            self.close("dependency_unavailable", "the event store is unavailable; reconnect")
            return
        tokens.pop(command.cursor, None)

    # --- credentials -------------------------------------------------------------------------

    async def _reauthenticate(self, command: protocol.Reauthenticate) -> None:
        principal = await self.gateway.authenticate(command.token, self.project_id)
        if principal is None or principal.tenant_id != self.tenant_id:
            self.close("unauthenticated", "the new credential is not valid for this project")
            return
        self.principal = principal
        self.gateway.reauthenticated(self)
        for follow_up in self.session.replace_grants(principal.grants):
            await self.execute(follow_up)
        self._arm_expiry()
        authed: dict[str, Any] = {"type": "authed", "expires_at": _stamp(principal.expires_at)}
        if command.id:
            authed["id"] = command.id
        self.reply(authed)


def _stamp(expires_at: int | None) -> str:
    if expires_at is None:
        # An API key without expiry: far in the future, as RFC 3339.
        return "9999-12-31T23:59:59Z"
    return datetime.fromtimestamp(expires_at, UTC).isoformat().replace("+00:00", "Z")
