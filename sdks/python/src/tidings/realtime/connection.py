"""`Realtime`: one logical realtime connection of a project, and its `Subscription`s.

The connection outlives its sockets. Over WebSocket it is one socket carrying every
subscription; over SSE each subscription is its own stream. Whatever the transport, when a
socket ends for a reason the registry calls `reconnect` (or is lost, or falls silent), a new one
is opened after a backoff (exponential, full jitter) and every subscription resumes from the
cursor of the last event it handed on: no gap, and duplicates from an overlap are dropped (see
`protocol`). A `terminal` reason ends every subscription with `ConnectionTerminated`.

Guarantees to the caller of a subscription: events of one subscription arrive in the order the
server sent them, each at most once for a plain subscription (at least once for a durable one,
until acknowledged); events removed by retention before they could be replayed are announced by
a `reset` item, never skipped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self, TypeAlias
from urllib.parse import quote

from tidings._errors import RealtimeError
from tidings._retry import RetryPolicy
from tidings.generated.models import EventFrame

from . import _sse_stream, _websocket
from .protocol import ClientProtocol, Item, SubscriptionState

if TYPE_CHECKING:
    from tidings._client import Client

__all__ = ["Realtime", "Subscription", "Transport"]

logger = logging.getLogger("tidings.realtime")

#: `auto`: WebSocket, and SSE when the WebSocket cannot connect at all; or one of them only.
Transport: TypeAlias = Literal["auto", "websocket", "sse"]


class _End:
    """Queued after a subscription's last item: `error` to raise, or None to stop iterating."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Subscription:
    """The items of one subscription: an async iterator of `EventFrame | Reset`.

    Narrow each item by its `type`: `"event"` is an event (an `EventFrame`, the same fields a
    REST replay returns, plus `durable` for a durable subscription); `"reset"` says that the
    events between the subscription's cursor and `item["oldest_cursor"]` were removed (retention,
    or the stream was recreated) — the subscription continues from there, and the caller decides
    what to do, e.g. refetch its state. Iteration ends when the subscription is unsubscribed or
    the connection closed; it raises `SubscriptionError` if the server refused the subscription
    and `ConnectionTerminated` (or the `APIStatusError` of a refused handshake) if the connection
    ended for good.
    """

    def __init__(self, connection: Realtime, state: SubscriptionState, max_pending: int) -> None:
        self._connection = connection
        self._state = state
        # Bounded: a caller that does not keep up stops the reader, the server's send queue fills
        # and it closes the socket as a slow consumer; the reconnection resumes from the cursor.
        self._queue: asyncio.Queue[Item | _End] = asyncio.Queue(max_pending)
        self._live = asyncio.get_running_loop().create_future()
        self._end: _End | None = None
        # The SSE stream of this subscription, when SSE carries it.
        self._task: asyncio.Task[None] | None = None

    @property
    def pattern(self) -> str:
        return self._state.pattern

    @property
    def durable(self) -> str | None:
        return self._state.durable

    @property
    def cursor(self) -> str | None:
        """Where this subscription would resume: the cursor of the last event it handed on."""
        return self._state.cursor

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Item:
        if self._end is not None and self._queue.empty():
            return self._finish(self._end)
        item = await self._queue.get()
        if isinstance(item, _End):
            self._end = item
            return self._finish(item)
        return item

    def _finish(self, end: _End) -> Item:
        if end.error is not None:
            raise end.error
        raise StopAsyncIteration

    async def ack(self, event: EventFrame) -> None:
        """Acknowledge `event` of this durable subscription (see `Realtime.ack`)."""
        await self._connection.ack(event)

    async def unsubscribe(self) -> None:
        """Stop this subscription; iteration ends after the items already received."""
        await self._connection._unsubscribe(self)

    # --- called by the connection and its transports -----------------------------------------

    async def _put(self, item: Item) -> None:
        await self._queue.put(item)

    def _confirm(self) -> None:
        if not self._live.done():
            self._live.set_result(None)

    def _close(self, error: BaseException | None) -> None:
        if not self._live.done():
            if error is not None:
                self._live.set_exception(error)
            else:
                self._live.cancel()
        if self._end is None:
            self._end = _End(error)
        # Never blocks the closer: a full queue still ends, once the caller has drained it.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_End(error))


class Realtime:
    """A realtime connection of one project: `async with client.realtime(project) as rt:`.

    `await rt.subscribe(pattern)` returns once the server has confirmed the subscription (events
    published from then on are delivered); iterate the `Subscription` it returns. See the module
    docstring for reconnection, and `Client.realtime` for the options.
    """

    def __init__(
        self,
        client: Client,
        project: str,
        *,
        transport: Transport = "auto",
        heartbeat_timeout: float | None = None,
        token_refresh_before: float = 30.0,
        reconnect: RetryPolicy | None = None,
        max_reconnect_attempts: int | None = None,
        max_pending: int = 1000,
        open_timeout: float = 10.0,
    ) -> None:
        if transport not in ("auto", "websocket", "sse"):
            raise ValueError(f"transport must be auto, websocket or sse: {transport!r}")
        self._client = client
        self.project = project
        self.requested_transport: Transport = transport
        #: The transport in use: "websocket" or "sse" (None before the first connection).
        self.transport: Literal["websocket", "sse"] | None = "sse" if transport == "sse" else None
        self.heartbeat_timeout = heartbeat_timeout
        self.token_refresh_before = token_refresh_before
        self.reconnect_policy = reconnect or client.retry
        self.max_reconnect_attempts = max_reconnect_attempts
        self.max_pending = max_pending
        self.open_timeout = open_timeout
        self.protocol = ClientProtocol()
        self.subscriptions: dict[str, Subscription] = {}
        #: Sockets (or SSE streams) opened again after one was lost: a sign of life for tests and
        #: metrics; the subscriptions carried on through each.
        self.reconnects = 0
        #: Credentials replaced on a live connection (`auth` → `authed`, or an SSE stream reopened).
        self.token_refreshes = 0
        #: The WebSocket connection's id from `welcome` (None over SSE).
        self.connection_id: str | None = None
        self._ws = _websocket.WebSocketLink(self)
        self._runner: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._failure: BaseException | None = None
        self._closed = False

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def open(self) -> None:
        """Connect (WebSocket), or decide on SSE when the WebSocket cannot connect (`auto`).

        Raises the handshake's `APIStatusError` (e.g. `AuthenticationError`) or
        `ConnectionTerminated` when the server refuses for good, and `APIConnectionError` when
        `max_reconnect_attempts` attempts all failed.
        """
        if self.requested_transport == "sse":
            return
        self._ready = asyncio.get_running_loop().create_future()
        self._runner = asyncio.create_task(self._ws.run(), name=f"tidings-realtime-{self.project}")
        try:
            await asyncio.shield(self._ready)
        except BaseException:
            # Refused, or the caller stopped waiting: no reconnect loop may outlive this call.
            await self.close()
            raise

    async def close(self) -> None:
        """Close the sockets; every subscription's iteration ends (after its received items)."""
        if self._closed:
            return
        self._closed = True
        tasks = [t for t in [self._runner, *(s._task for s in self.subscriptions.values())] if t]
        for task in tasks:
            task.cancel()
        await self._ws.close()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for sub in list(self.subscriptions.values()):
            sub._close(None)
        self.subscriptions.clear()

    # --- subscriptions -----------------------------------------------------------------------

    async def subscribe(
        self, pattern: str, *, cursor: str | None = None, durable: str | None = None
    ) -> Subscription:
        """Subscribe to the events whose topic matches `pattern` (`*` one token, final `>` the rest).

        `cursor`: replay the stored events after it first, then continue live (no gap). `durable`:
        the name of a durable subscription of the project (created with
        `client.create_subscription`); its events must be acknowledged with `ack`, unacknowledged
        ones are delivered again (WebSocket only). Returns once the server confirmed; raises
        `SubscriptionError` if it refused (`forbidden`, `too_many_subscriptions`,
        `invalid_cursor`), `ValueError` for a pattern this connection already holds.
        """
        self._check_usable()
        if durable is not None and self.transport == "sse":
            raise RealtimeError("durable subscriptions need the WebSocket transport (SSE has no acks)")
        state = self.protocol.add(pattern, cursor=cursor, durable=durable)
        sub = Subscription(self, state, self.max_pending)
        self.subscriptions[pattern] = sub
        if self.transport == "sse":
            sub._task = asyncio.create_task(_sse_stream.run(self, sub), name=f"tidings-sse-{pattern}")
        else:
            await self._ws.send_subscribe(state)
        try:
            await asyncio.shield(sub._live)
        except BaseException:
            # Refused, or the caller gave up waiting (a timeout, a cancellation): the server
            # must not keep a subscription nobody reads.
            if self.subscriptions.get(pattern) is sub:
                await self._unsubscribe(sub)
            raise
        return sub

    async def ack(self, event: EventFrame) -> None:
        """Acknowledge an event of a durable subscription (by its cursor).

        Best effort by design: if the socket is down the acknowledgement is not sent and the
        server delivers the event again (at least once), so a handler must tolerate a repeat.
        """
        durable = event.get("durable")
        if durable is None:
            raise ValueError("only events of a durable subscription are acknowledged")
        await self._ws.send_ack(durable, event["cursor"])

    async def _unsubscribe(self, sub: Subscription) -> None:
        if self.subscriptions.get(sub.pattern) is not sub:
            return
        self._forget(sub)
        if sub._task is not None:
            sub._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sub._task
        else:
            await self._ws.send_unsubscribe(sub.pattern)
        sub._close(None)

    def _forget(self, sub: Subscription) -> None:
        if self.subscriptions.get(sub.pattern) is sub:
            del self.subscriptions[sub.pattern]
            self.protocol.remove(sub.pattern)

    def _check_usable(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closed:
            raise RealtimeError("this realtime connection is closed")
        if self.transport is None and self._runner is None:
            raise RealtimeError("open the connection first: `async with client.realtime(project) as rt:`")

    # --- called by the transports --------------------------------------------------------------

    def _opened(self, transport: Literal["websocket", "sse"]) -> None:
        self.transport = transport
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(None)

    def _fall_back_to_sse(self, reason: BaseException) -> None:
        logger.warning("WebSocket unavailable (%s); using Server-Sent Events", reason)
        self._opened("sse")

    def _fail(self, error: BaseException) -> None:
        """The connection ended for good: every subscription raises `error`."""
        self._failure = error
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(error)
        for sub in list(self.subscriptions.values()):
            sub._close(error)
        self.subscriptions.clear()
        self.protocol.subscriptions.clear()

    def _fail_subscription(self, pattern: str, error: BaseException) -> None:
        sub = self.subscriptions.get(pattern)
        if sub is not None:
            self._forget(sub)
            sub._close(error)

    async def _credential(self) -> str | None:
        return await self._client._credential()

    @property
    def _has_provider(self) -> bool:
        return self._client._token_provider is not None

    def _url(self, scheme: Literal["ws", "http"]) -> str:
        base = self._client.realtime_url if scheme == "ws" else self._client.base_url
        path = "ws" if scheme == "ws" else "stream"
        return f"{base}/v1/projects/{quote(self.project, safe='')}/{path}"

    def _backoff(self, failures: int, retry_after: float | None = None) -> float:
        return self.reconnect_policy.delay(max(0, failures - 1), retry_after)

    def _attempts_exhausted(self, failures: int) -> bool:
        return self.max_reconnect_attempts is not None and failures > self.max_reconnect_attempts
