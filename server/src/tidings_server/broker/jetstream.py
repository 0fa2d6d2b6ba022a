"""The `Broker` on NATS JetStream (nats-py)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from tidings_server.broker.base import PublishAck, StreamSpec

__all__ = ["JetStreamBroker"]

log = logging.getLogger(__name__)

# Reconnect forever: a node without NATS cannot deliver, but it must come back by itself when
# NATS does. 0.5 s between attempts (with nats-py's jitter) keeps a restart's gap short without
# hammering a cluster that is coming up.
RECONNECT_WAIT_SECONDS = 0.5
# Messages published while disconnected are buffered by the client up to this size, then the
# publish fails (and the caller answers 503): bounded memory, no silent loss.
PENDING_BUFFER_BYTES = 8 * 1024 * 1024


class JetStreamBroker:
    """See `tidings_server.broker.base.Broker` for the guarantees."""

    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._reconnect_listeners: list[Callable[[], Awaitable[None]]] = []

    def on_reconnect(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call `listener` after every reconnection: state kept from control-bus commands may
        have missed some while disconnected and must be rebuilt."""
        self._reconnect_listeners.append(listener)

    async def _reconnected(self) -> None:
        log.info("nats reconnected")
        for listener in self._reconnect_listeners:
            try:
                await listener()
            except Exception:
                log.exception("reconnect listener failed")

    @classmethod
    async def connect(cls, servers: Sequence[str], *, name: str = "tidings-server") -> JetStreamBroker:
        async def on_disconnect() -> None:
            log.warning("nats disconnected")

        broker: JetStreamBroker | None = None

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
            duplicate_window=spec.duplicate_window_seconds,
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
