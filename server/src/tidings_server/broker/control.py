"""The control bus: cross-node commands over core NATS (`tidings.ctl.<command>`).

Delivery is at most once and immediate (milliseconds), with no history: a node that is
disconnected when a command is sent misses it. Every consumer of the bus therefore keeps only
state it can rebuild from PostgreSQL (caches), and drops all of it when the node reconnects to
NATS (`JetStreamBroker.on_reconnect`). That is what makes "every node applies it within a
second" hold: a connected node applies the command at once, a reconnecting one starts afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from tidings_server.broker.subjects import CONTROL_PREFIX

__all__ = ["ControlBus", "Handler"]

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class ControlBus:
    def __init__(self, nc: NATS) -> None:
        self._nc = nc
        self._subscriptions: list[Subscription] = []

    async def publish(self, command: str, payload: dict[str, Any]) -> None:
        """Send `command` to every node (this one included); flushed before returning."""
        await self._nc.publish(f"{CONTROL_PREFIX}.{command}", orjson.dumps(payload))
        await self._nc.flush()

    async def subscribe(self, command: str, handler: Handler) -> None:
        async def on_message(msg: Msg) -> None:
            try:
                await handler(orjson.loads(msg.data))
            except Exception:
                log.exception("control command %s failed", command)

        self._subscriptions.append(await self._nc.subscribe(f"{CONTROL_PREFIX}.{command}", cb=on_message))

    async def close(self) -> None:
        for sub in self._subscriptions:
            await sub.unsubscribe()
        self._subscriptions.clear()
