"""The `Broker` on NATS JetStream (nats-py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import nats
import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, NotFoundError

from tidings_server.broker.base import (
    Delivery,
    DurableSpec,
    OutgoingMessage,
    PublishAck,
    ReadPage,
    StoredMessage,
    StreamSpec,
    StreamState,
)

__all__ = ["ConsumerBacklog", "JetStreamBroker", "StreamSummary"]

log = logging.getLogger(__name__)

# Reconnect forever: a node without NATS cannot deliver, but it must come back by itself when
# NATS does. 0.5 s between attempts (with nats-py's jitter) keeps a restart's gap short without
# hammering a cluster that is coming up.
RECONNECT_WAIT_SECONDS = 0.5
# Messages published while disconnected are buffered by the client up to this size, then the
# publish fails (and the caller answers 503): bounded memory, no silent loss.
PENDING_BUFFER_BYTES = 8 * 1024 * 1024


# A replay's ephemeral consumer is deleted when the read ends; this only bounds the leak when a
# node dies mid-read.
READ_CONSUMER_IDLE_SECONDS = 30.0
# Messages counted as pending exist, so a fetch answers at once; the timeout only bounds a
# read racing with retention.
READ_FETCH_TIMEOUT_SECONDS = 2.0
# nats-py needs a positive fetch timeout even for "what is there now".
MIN_PULL_WAIT_SECONDS = 0.05
# Unacknowledged deliveries one durable consumer may have outstanding: bounds a stuck
# subscriber's redelivery work.
DURABLE_MAX_ACK_PENDING = 10_000
# nats-server answers stream and consumer lists in pages of this many entries.
JETSTREAM_LIST_PAGE = 256
# The JetStream API prefix (default domain), and how long an API request may take (nats-py's own
# default for its JetStream manager).
_JS_API = "$JS.API"
_API_TIMEOUT_SECONDS = 5.0

_FRACTION = re.compile(r"\.(\d{6})\d*")


def _epoch(created: object) -> int:
    """The stream's creation time in µs (nats-py gives an RFC 3339 string with nanoseconds)."""
    if isinstance(created, str):
        text = _FRACTION.sub(r".\1", created).replace("Z", "+00:00")
        created = datetime.fromisoformat(text)
    if not isinstance(created, datetime):
        raise ValueError(f"stream info without a creation time: {created!r}")
    return int(created.timestamp() * 1_000_000)


def _stored(msg: Msg) -> StoredMessage:
    return StoredMessage(
        subject=msg.subject,
        seq=msg.metadata.sequence.stream,
        data=msg.data,
        headers=dict(msg.headers or {}),
        time=msg.metadata.timestamp,
    )


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """One stream as the broker metrics see it."""

    name: str
    messages: int
    consumers: int


@dataclass(frozen=True, slots=True)
class ConsumerBacklog:
    """One consumer's backlog: `pending` matching messages not yet delivered, `ack_pending`
    delivered and not yet acknowledged."""

    name: str
    pending: int
    ack_pending: int


class JetStreamBroker:
    """See `tidings_server.broker.base.Broker` for the guarantees."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._reconnect_listeners: list[Callable[[], Awaitable[None]]] = []
        self._disconnect_listeners: list[Callable[[], Awaitable[None]]] = []

    def on_reconnect(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call `listener` after every reconnection: state kept from control-bus commands may
        have missed some while disconnected and must be rebuilt."""
        self._reconnect_listeners.append(listener)

    def on_disconnect(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call `listener` whenever the connection to NATS is lost."""
        self._disconnect_listeners.append(listener)

    async def _disconnected(self) -> None:
        log.warning("nats disconnected")
        for listener in self._disconnect_listeners:
            try:
                await listener()
            except Exception:
                log.exception("disconnect listener failed")

    async def _reconnected(self) -> None:
        log.info("nats reconnected")
        for listener in self._reconnect_listeners:
            try:
                await listener()
            except Exception:
                log.exception("reconnect listener failed")

    @classmethod
    async def connect(cls, servers: Sequence[str], *, name: str = "tidings-server") -> JetStreamBroker:
        broker: JetStreamBroker | None = None

        async def on_disconnect() -> None:
            if broker is not None:
                await broker._disconnected()

        async def on_reconnect() -> None:
            if broker is not None:
                await broker._reconnected()

        async def on_error(exc: Exception) -> None:
            log.warning("nats error: %s", exc)

        nc = await nats.connect(
            servers=list(servers),
            name=name,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=RECONNECT_WAIT_SECONDS,
            pending_size=PENDING_BUFFER_BYTES,
            connect_timeout=5,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
            error_cb=on_error,
        )
        broker = cls(nc)
        return broker

    @property
    def nc(self) -> NATS:
        """The raw connection, for core NATS subscriptions (fan-out, control bus)."""
        return self._nc

    async def ensure_stream(self, spec: StreamSpec) -> None:
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            storage=StorageType.FILE,
            max_age=spec.max_age_seconds,
            max_msgs=spec.max_msgs,
            max_bytes=spec.max_bytes,
            max_msg_size=spec.max_msg_size,
            # Pinned: "discard new" would refuse publishes to a full stream; "old" removes the
            # oldest, so an acknowledged event is never the one dropped (see max_msg_size).
            discard=DiscardPolicy.OLD,
            max_msgs_per_subject=-1,
            duplicate_window=spec.duplicate_window_seconds,
            retention=RetentionPolicy.WORK_QUEUE if spec.work_queue else RetentionPolicy.LIMITS,
        )
        try:
            await self._js.stream_info(spec.name)
        except NotFoundError:
            await self._js.add_stream(config)
        else:
            await self._js.update_stream(config)

    async def publish(
        self,
        subject: str,
        payload: bytes,
        *,
        msg_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 5.0,
    ) -> PublishAck:
        hdrs = dict(headers or {})
        if msg_id is not None:
            hdrs["Nats-Msg-Id"] = msg_id
        ack = await self._js.publish(subject, payload, timeout=timeout, headers=hdrs or None)
        return PublishAck(stream=ack.stream, seq=ack.seq, duplicate=bool(ack.duplicate))

    @property
    def is_connected(self) -> bool:
        """False while NATS is unreachable: callers answer 503 at once rather than let the
        client buffer a publish that might be stored after the caller gave up."""
        return self._nc.is_connected

    async def publish_batch(
        self, messages: Sequence[OutgoingMessage], *, timeout: float = 5.0
    ) -> list[PublishAck]:
        if len(messages) == 1:
            # A request: JetStream's refusal (e.g. over the stream's max_msg_size) is raised as
            # an APIError. nats-py's pipelined path loses it (its reply handler raises instead
            # of failing the future), which would look like a timeout.
            only = messages[0]
            return [
                await self.publish(
                    only.subject, only.payload, msg_id=only.msg_id, headers=only.headers, timeout=timeout
                )
            ]
        futures = []
        for message in messages:
            hdrs = dict(message.headers)
            if message.msg_id is not None:
                hdrs["Nats-Msg-Id"] = message.msg_id
            futures.append(
                await self._js.publish_async(message.subject, message.payload, headers=hdrs or None)
            )
        try:
            async with asyncio.timeout(timeout):
                acks = await asyncio.gather(*futures)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [PublishAck(stream=a.stream, seq=a.seq, duplicate=bool(a.duplicate)) for a in acks]

    async def stream_state(self, name: str) -> StreamState | None:
        try:
            info = await self._js.stream_info(name)
        except NotFoundError:
            return None
        state = info.state
        return StreamState(
            name=name,
            epoch=_epoch(info.created),
            first_seq=state.first_seq,
            last_seq=state.last_seq,
            messages=state.messages,
            bytes=state.bytes,
            max_msgs=info.config.max_msgs if info.config.max_msgs is not None else -1,
            max_bytes=info.config.max_bytes if info.config.max_bytes is not None else -1,
        )

    async def stream_summaries(self, subject: str) -> list[StreamSummary]:
        """The streams that store `subject` (a wildcard: `tidings.dlq.>`), with their message and
        consumer counts: one API request per JETSTREAM_LIST_PAGE matching streams. The filter is
        applied by the server, so other streams cost nothing."""
        summaries: list[StreamSummary] = []
        while True:
            request = orjson.dumps({"offset": len(summaries), "subject": subject})
            reply = await self._nc.request(f"{_JS_API}.STREAM.LIST", request, timeout=_API_TIMEOUT_SECONDS)
            body = orjson.loads(reply.data)
            if "error" in body:
                APIError.from_error(body["error"])  # raises the matching APIError subclass
            page = body.get("streams") or []
            summaries.extend(
                StreamSummary(
                    info["config"]["name"], info["state"]["messages"], info["state"].get("consumer_count", 0)
                )
                for info in page
            )
            if not page or len(summaries) >= body.get("total", 0):
                return summaries

    async def consumer_backlogs(self, stream: str) -> list[ConsumerBacklog]:
        """The backlog of every consumer of `stream`: one API request per JETSTREAM_LIST_PAGE
        consumers."""
        backlogs: list[ConsumerBacklog] = []
        while True:
            page = await self._js.consumers_info(stream, offset=len(backlogs))
            backlogs.extend(
                ConsumerBacklog(info.name, info.num_pending or 0, info.num_ack_pending or 0) for info in page
            )
            if len(page) < JETSTREAM_LIST_PAGE:
                return backlogs

    async def get_message(self, stream: str, seq: int) -> StoredMessage | None:
        try:
            raw = await self._js.get_msg(stream, seq)
        except NotFoundError:
            return None
        return StoredMessage(
            subject=raw.subject or "",
            seq=raw.seq or seq,
            data=raw.data or b"",
            headers=dict(raw.headers or {}),
            time=raw.time,
        )

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
        # An ephemeral, in-memory consumer without acks: JetStream counts what matches after
        # the start (`num_pending`), so the fetch never waits for messages that do not exist.
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            mem_storage=True,
            inactive_threshold=READ_CONSUMER_IDLE_SECONDS,
            max_ack_pending=-1,
        )
        if len(subjects) == 1:
            config.filter_subject = subjects[0]
        else:
            config.filter_subjects = list(subjects)
        if start_time is not None:
            config.deliver_policy = DeliverPolicy.BY_START_TIME
            config.opt_start_time = start_time.astimezone(UTC)
        else:
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = max(1, start_seq or 1)
        info = await self._js.add_consumer(stream, config)
        messages: list[StoredMessage] = []
        pending = info.num_pending or 0
        try:
            if pending and limit:
                sub = await self._js.pull_subscribe_bind(durable=info.name, stream=stream)
                try:
                    wanted = min(limit, pending)
                    while len(messages) < wanted:
                        try:
                            batch = await sub.fetch(
                                wanted - len(messages), timeout=READ_FETCH_TIMEOUT_SECONDS
                            )
                        except (nats.errors.TimeoutError, TimeoutError):
                            break  # removed by limits while reading
                        for msg in batch:
                            stored = _stored(msg)
                            if stop_seq is not None and stored.seq >= stop_seq:
                                return ReadPage(messages, more=False)
                            messages.append(stored)
                        pending = batch[-1].metadata.num_pending if batch else 0
                        if not batch or not pending:
                            break
                finally:
                    with contextlib.suppress(Exception):
                        await sub.unsubscribe()
        finally:
            with contextlib.suppress(Exception):
                await self._js.delete_consumer(stream, info.name)
        last = messages[-1].seq if messages else None
        more = (
            len(messages) >= limit
            and pending > 0
            and (stop_seq is None or last is None or last + 1 < stop_seq)
        )
        return ReadPage(messages, more=more)

    async def ensure_durable(self, stream: str, spec: DurableSpec) -> None:
        config = ConsumerConfig(
            durable_name=spec.name,
            description=spec.description or None,
            deliver_policy=DeliverPolicy.ALL if spec.deliver_all else DeliverPolicy.NEW,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=spec.ack_wait_seconds,
            max_deliver=spec.max_deliveries,
            max_ack_pending=DURABLE_MAX_ACK_PENDING,
        )
        if len(spec.filter_subjects) == 1:
            config.filter_subject = spec.filter_subjects[0]
        else:
            config.filter_subjects = list(spec.filter_subjects)
        try:
            await self._js.consumer_info(stream, spec.name)
        except NotFoundError:
            await self._js.add_consumer(stream, config)
        else:
            # An update may not change the deliver policy; the existing position is kept.
            config.deliver_policy = None
            await self._js.add_consumer(stream, config)

    async def delete_durable(self, stream: str, name: str) -> bool:
        try:
            return bool(await self._js.delete_consumer(stream, name))
        except NotFoundError:
            return False

    async def pull(self, stream: str, durable: str, *, batch: int, wait: float) -> list[Delivery]:
        sub = await self._js.pull_subscribe_bind(durable=durable, stream=stream)
        try:
            try:
                msgs = await sub.fetch(batch, timeout=max(wait, MIN_PULL_WAIT_SECONDS))
            except (nats.errors.TimeoutError, TimeoutError):
                return []
            return [Delivery(_stored(m), m.reply, m.metadata.num_delivered) for m in msgs]
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def ack(self, reply: str, *, kind: str = "ack", timeout: float = 5.0) -> None:
        payload = {"ack": b"+ACK", "nak": b"-NAK", "term": b"+TERM"}[kind]
        await self._nc.request(reply, payload, timeout=timeout)

    async def delete_message(self, stream: str, seq: int) -> bool:
        try:
            return bool(await self._js.delete_msg(stream, seq))
        except NotFoundError:
            return False

    async def purge(self, stream: str, *, subject: str | None = None) -> int:
        before = await self.stream_state(stream)
        if before is None:
            return 0
        await self._js.purge_stream(stream, subject=subject)
        after = await self.stream_state(stream)
        return before.messages - (after.messages if after else 0)

    async def ping(self, timeout: float) -> float:
        started = time.perf_counter()
        if not self._nc.is_connected:
            raise ConnectionError("not connected to NATS")
        async with asyncio.timeout(timeout):
            await self._js.account_info()
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        if not self._nc.is_closed:
            await self._nc.drain()
