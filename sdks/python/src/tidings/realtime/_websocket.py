"""The WebSocket transport: one socket at a time carries every subscription of a `Realtime`.

A thin adapter: frames are read and written here, their meaning is `protocol`'s. One socket's
life: handshake (credential in `Authorization`), `welcome`, a `subscribe` per subscription from
its cursor, then reading until the socket ends, beside a heartbeat watchdog (silence for twice
`welcome.heartbeat_ms` means a dead socket; after one interval of silence we `ping`, so a healthy
idle socket is never mistaken for a dead one) and the token refresher (`auth` before the
credential expires, `authed` back; the subscriptions stay).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from typing import TYPE_CHECKING

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from tidings._errors import APIConnectionError, ConnectionTerminated, SubscriptionError, status_error
from tidings._retry import RETRYABLE_STATUSES, parse_retry_after
from tidings._version import USER_AGENT

from . import _lifecycle
from ._tokens import jwt_expiry, parse_timestamp, refresh_delay
from .protocol import (
    Confirmed,
    Deliver,
    Ended,
    Output,
    ProtocolViolation,
    Reauthed,
    Refused,
    ServerError,
    SubscriptionState,
    Welcomed,
    close_action,
    encode,
)

if TYPE_CHECKING:
    from .connection import Realtime

__all__ = ["WebSocketLink"]

logger = logging.getLogger("tidings.realtime")

# Largest server frame accepted. The server packs at most 256 KiB of events into one `events`
# frame by default (an event is at most 64 KiB); the margin allows a server configured higher.
MAX_SERVER_FRAME = 8 * 1024 * 1024
# Seconds a graceful close may take before the socket is simply dropped.
CLOSE_TIMEOUT = 2.0
# How long an `auth` waits for `authed` before the refresh counts as failed (and is tried again).
AUTH_TIMEOUT = 10.0


class _Retry(Exception):
    """This attempt failed for a reason that may pass: wait, then connect again."""

    def __init__(self, error: BaseException, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class _Stop(Exception):
    """This connection cannot succeed: stop, and end every subscription with `error`."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _NoWebSocket(_Stop):
    """The endpoint does not speak WebSocket (refused, or answered without upgrading)."""


class WebSocketLink:
    """The WebSocket side of a `Realtime`; `run` is its task."""

    def __init__(self, rt: Realtime) -> None:
        self.rt = rt
        # The open socket whose subscriptions are sent (None while connecting or down).
        self.ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        # Frame id → the subscription pattern it subscribes, to route a refusal.
        self._subscribe_ids: dict[str, str] = {}
        self._auth_waiters: dict[str, asyncio.Future[Reauthed]] = {}
        self._ever_connected = False

    # --- the reconnect loop ------------------------------------------------------------------

    async def run(self) -> None:
        rt = self.rt
        failures = 0
        while True:
            up_since: float | None = None
            retry_after: float | None = None
            error: BaseException | None = None
            try:
                up_since, reason = await self._connection()
            except _NoWebSocket as exc:
                if rt.requested_transport == "auto" and not self._ever_connected:
                    rt._fall_back_to_sse(exc.error)
                else:
                    rt._fail(exc.error)
                return
            except _Stop as exc:
                rt._fail(exc.error)
                return
            except _Retry as exc:
                if rt.requested_transport == "auto" and not self._ever_connected:
                    rt._fall_back_to_sse(exc.error)
                    return
                reason, error, retry_after = str(exc), exc.error, exc.retry_after
            except Exception as exc:
                # A bug, here or in the server: end every subscription loudly, never silently.
                logger.exception("the realtime connection failed")
                rt._fail(exc)
                return
            failures = _lifecycle.next_failures(failures, up_since)
            if rt._attempts_exhausted(failures):
                rt._fail(
                    error or APIConnectionError(f"the realtime connection could not be restored: {reason}")
                )
                return
            wait = rt._backoff(failures, retry_after)
            logger.info("realtime connection lost (%s); reconnecting in %.2fs", reason, wait)
            await rt.reconnect_policy.sleep(wait)

    async def _connection(self) -> tuple[float, str]:
        """One socket's life. Returns when it was up since (monotonic) and why it ended, once it
        ended for a reason to reconnect after; raises `_Retry`/`_Stop` if it never got up."""
        rt = self.rt
        token = await rt._credential()
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        ws = await self._connect(headers)
        refresher: asyncio.Task[None] | None = None
        try:
            welcome = await self._welcome(ws)
            up_since = time.monotonic()
            if self._ever_connected:
                rt.reconnects += 1
            self._ever_connected = True
            rt.connection_id = welcome.connection_id
            # Set before the snapshot, with no await between: a `subscribe` from now on sends its
            # own frame, one from before is in the snapshot.
            self.ws = ws
            for state in list(rt.protocol.subscriptions.values()):
                await self._send_subscribe(ws, state)
            rt._opened("websocket")
            refresher = asyncio.create_task(self._refresh_tokens(ws, token))
            heartbeat = rt.heartbeat_timeout or 2 * welcome.heartbeat_ms / 1000
            try:
                return up_since, await self._read(ws, heartbeat)
            except _Ended as exc:
                return up_since, str(exc)
        finally:
            self.ws = None
            if refresher is not None:
                refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await refresher
            self._subscribe_ids.clear()
            for waiter in self._auth_waiters.values():
                waiter.cancel()
            self._auth_waiters.clear()
            await _drop(ws)

    async def _connect(self, headers: dict[str, str]) -> ClientConnection:
        try:
            return await connect(
                self.rt._url("ws"),
                additional_headers=headers,
                open_timeout=self.rt.open_timeout,
                # Our heartbeat is the protocol's (`welcome.heartbeat_ms`, `ping`/`pong` frames).
                ping_interval=None,
                close_timeout=CLOSE_TIMEOUT,
                max_size=MAX_SERVER_FRAME,
            )
        except InvalidStatus as exc:
            response = exc.response
            body: object = response.body.decode("utf-8", "replace") if response.body else None
            with contextlib.suppress(ValueError):
                body = json.loads(response.body or b"")
            error = status_error(
                response.status_code,
                body,
                request_id=response.headers.get("X-Request-ID"),
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
            if error.status in RETRYABLE_STATUSES:
                raise _Retry(error, error.retry_after) from exc
            if error.status in (401, 403):
                raise _Stop(error) from exc
            raise _NoWebSocket(error) from exc
        except InvalidURI as exc:
            raise _Stop(ValueError(f"not a WebSocket URL: {exc}")) from exc
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            # Refused, reset, unreachable, or something that is not a WebSocket server.
            failure = APIConnectionError(f"WebSocket {self.rt._url('ws')}: {exc or type(exc).__name__}")
            raise _Retry(failure) from exc

    async def _welcome(self, ws: ClientConnection) -> Welcomed:
        closing: ServerError | None = None
        try:
            async with asyncio.timeout(self.rt.open_timeout):
                while True:
                    data = await ws.recv()
                    try:
                        outputs = self.rt.protocol.receive(data)
                    except ProtocolViolation as exc:
                        raise _NoWebSocket(exc) from exc
                    if outputs and isinstance(outputs[0], Welcomed):
                        return outputs[0]
                    # A server refusing after the upgrade says why, then closes.
                    closing = next((o for o in outputs if isinstance(o, ServerError)), closing)
                    if closing is None:
                        error = ProtocolViolation(f"the first frame is not `welcome`: {data!r:.200}")
                        raise _NoWebSocket(error)
        except TimeoutError as exc:
            raise _Retry(APIConnectionError("no `welcome` from the server in time")) from exc
        except ConnectionClosed as exc:
            raise _end_of(exc, closing, opening=True) from None

    def _parse(self, data: str | bytes) -> list[Output]:
        try:
            return self.rt.protocol.receive(data)
        except ProtocolViolation as exc:
            # A garbled frame loses what it carried: a new socket resumes from the cursors, so
            # the events come again, whole. Loud, since it is a server (or proxy) bug.
            logger.error("realtime: %s; reconnecting to resume from the cursors", exc)
            raise _Ended(f"protocol violation: {exc}") from exc

    # --- reading --------------------------------------------------------------------------------

    async def _read(self, ws: ClientConnection, heartbeat: float) -> str:
        """Read until the socket ends; why it ended, when that is a reason to reconnect."""
        rt = self.rt
        closing: ServerError | None = None
        pinged = False
        while True:
            try:
                async with asyncio.timeout(heartbeat / 2):
                    data = await ws.recv()
            except TimeoutError:
                if pinged:
                    # Twice the heartbeat without a byte: the peer or the path is gone, and
                    # nothing will tell us (no FIN, no RST through a dead NAT).
                    logger.info("realtime connection silent for %.1fs; reconnecting", heartbeat)
                    return "heartbeat timeout"
                pinged = True
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(encode({"type": "ping"}))
                continue
            except ConnectionClosed as exc:
                raise _end_of(exc, closing, opening=False) from None
            pinged = False
            for output in self._parse(data):
                if isinstance(output, Deliver):
                    sub = rt.subscriptions.get(output.pattern)
                    if sub is not None:
                        await sub._put(output.item)
                elif isinstance(output, Confirmed):
                    self._subscribe_ids.pop(output.frame_id or "", None)
                    sub = rt.subscriptions.get(output.pattern)
                    if sub is not None:
                        sub._confirm()
                elif isinstance(output, Refused):
                    self._refused(output)
                elif isinstance(output, Reauthed):
                    waiter = self._auth_waiters.pop(output.frame_id or "", None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(output)
                elif isinstance(output, Ended):
                    if output.frame_id is not None and output.frame_id.startswith("u"):
                        continue  # answers our `unsubscribe`; the subscription is already gone
                    # Unasked: the refreshed credential no longer allows this pattern.
                    rt._fail_subscription(
                        output.pattern,
                        SubscriptionError(
                            f"the server ended the subscription to {output.pattern!r}", code="forbidden"
                        ),
                    )
                elif isinstance(output, ServerError):
                    closing = output

    def _refused(self, refusal: Refused) -> None:
        pattern = self._subscribe_ids.pop(refusal.frame_id or "", None)
        if pattern is not None:
            self.rt._fail_subscription(pattern, SubscriptionError(refusal.message, code=refusal.code))
        else:
            waiter = self._auth_waiters.pop(refusal.frame_id or "", None)
            if waiter is not None and not waiter.done():
                waiter.set_exception(SubscriptionError(refusal.message, code=refusal.code))
            logger.warning("realtime frame refused: %s (%s)", refusal.message, refusal.code)

    # --- writing ----------------------------------------------------------------------------------

    async def send_subscribe(self, state: SubscriptionState) -> None:
        if self.ws is not None:
            await self._send_subscribe(self.ws, state)

    async def _send_subscribe(self, ws: ClientConnection, state: SubscriptionState) -> None:
        frame_id = f"s{next(self._ids)}"
        self._subscribe_ids[frame_id] = state.pattern
        with contextlib.suppress(ConnectionClosed):
            await ws.send(encode(state.subscribe_frame(frame_id)))

    async def send_unsubscribe(self, pattern: str) -> None:
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                frame_id = f"u{next(self._ids)}"
                await self.ws.send(encode({"type": "unsubscribe", "id": frame_id, "topic": pattern}))

    async def send_ack(self, durable: str, cursor: str) -> None:
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(encode({"type": "ack", "durable": durable, "cursor": cursor}))

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            await ws.close()

    # --- token refresh ------------------------------------------------------------------------

    async def _refresh_tokens(self, ws: ClientConnection, token: str | None) -> None:
        rt = self.rt
        if not rt._has_provider or not token:
            return
        expires_at = jwt_expiry(token)
        failures = 0
        while expires_at is not None:
            await asyncio.sleep(refresh_delay(expires_at, time.time(), rt.token_refresh_before))
            try:
                fresh = await rt._credential()
                if not fresh:
                    return
                frame_id = f"a{next(self._ids)}"
                waiter: asyncio.Future[Reauthed] = asyncio.get_running_loop().create_future()
                self._auth_waiters[frame_id] = waiter
                await ws.send(encode({"type": "auth", "id": frame_id, "token": fresh}))
                async with asyncio.timeout(AUTH_TIMEOUT):
                    authed = await waiter
            except (ConnectionClosed, asyncio.CancelledError):
                raise
            except Exception as exc:  # noqa: BLE001 - a provider's or server's failure: try again
                failures += 1
                wait = rt._backoff(failures)
                logger.warning("token refresh failed (%s); again in %.2fs", exc, wait)
                await rt.reconnect_policy.sleep(wait)
                continue
            failures = 0
            rt.token_refreshes += 1
            expires_at = parse_timestamp(authed.expires_at) or jwt_expiry(fresh)


class _Ended(Exception):
    """The socket, once up, ended with a close the registry says to reconnect after."""


def _end_of(exc: ConnectionClosed, closing: ServerError | None, *, opening: bool) -> Exception:
    """What a closed socket means: `_Stop` for a terminal close, else `_Retry` (while opening)
    or `_Ended` (once up)."""
    close_code = exc.rcvd.code if exc.rcvd else None
    if close_action(close_code, closing) == "terminal":
        code = closing.code if closing else None
        message = closing.message if closing else f"closed with code {close_code}"
        return _Stop(ConnectionTerminated(message, code=code, close_code=close_code))
    reason = f"closed with code {close_code}" + (f" ({closing.code})" if closing else "")
    if opening:
        return _Retry(APIConnectionError(f"the connection {reason} during its opening"))
    return _Ended(reason)


async def _drop(ws: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await ws.close()
