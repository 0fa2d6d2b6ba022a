"""The Server-Sent Events transport: one stream per subscription, resumed by `Last-Event-ID`.

A thin adapter over aiohttp and `sse.SSEParser`. A stream's life: `GET …/stream?topic=<pattern>`
with the credential in `Authorization` and the subscription's cursor in `Last-Event-ID`; an
answer other than 200 is the problem it carries (401/403/4xx end the subscription, 408/429/5xx
are retried after a backoff and `Retry-After`); then `event`, `reset` and `error` messages until
the stream ends, falls silent for `heartbeat_timeout` (the server's comment heartbeats keep a
healthy one talking), or an `error` message ends it. A credential with an expiry is replaced by
reopening the stream from the cursor shortly before it expires (SSE has no `auth` frame).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, cast

import aiohttp

from tidings._errors import (
    APIConnectionError,
    ConnectionTerminated,
    SubscriptionError,
    TidingsError,
    status_error,
)
from tidings._retry import RETRYABLE_STATUSES, parse_retry_after
from tidings._version import USER_AGENT
from tidings.generated.models import ErrorFrame, EventFrame, Reset

from . import _lifecycle
from ._tokens import jwt_expiry, refresh_delay
from .protocol import ServerError, close_action
from .sse import Comment, SSEParser

if TYPE_CHECKING:
    from .connection import Realtime, Subscription

__all__ = ["run"]

logger = logging.getLogger("tidings.realtime")


class _Retry(Exception):
    """This stream failed for a reason that may pass: wait, then open it again."""

    def __init__(self, error: TidingsError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        # When the failed stream had been up since (monotonic), if it ever was.
        self.up_since: float | None = None


class _Refresh(Exception):
    """Time to reopen the stream with a fresh credential."""


async def run(rt: Realtime, sub: Subscription) -> None:
    """Keep `sub`'s stream open until it is cancelled or fails for good."""
    failures = 0
    refreshing = False
    while True:
        up_since: float | None = None
        try:
            up_since = await _stream(rt, sub, refreshing=refreshing)
            reason = "the stream ended"
            retry_after = None
            error: TidingsError | None = None
        except _Retry as exc:
            reason, retry_after, error = str(exc), exc.retry_after, exc.error
            up_since = exc.up_since
        except TidingsError as exc:
            rt._fail_subscription(sub.pattern, exc)
            return
        except _Refresh:
            refreshing = True
            continue
        except Exception as exc:
            # A bug, here or in the server: end the subscription loudly rather than silently.
            logger.exception("SSE stream of %r failed", sub.pattern)
            rt._fail_subscription(sub.pattern, exc)
            return
        refreshing = False
        failures = _lifecycle.next_failures(failures, up_since)
        if rt._attempts_exhausted(failures):
            rt._fail_subscription(sub.pattern, error or APIConnectionError(reason))
            return
        wait = rt._backoff(failures, retry_after)
        logger.info("SSE stream of %r lost (%s); reconnecting in %.2fs", sub.pattern, reason, wait)
        await rt.reconnect_policy.sleep(wait)


async def _stream(rt: Realtime, sub: Subscription, *, refreshing: bool) -> float:
    """One stream; returns when it was up since (monotonic) after it ended cleanly."""
    state = sub._state
    token = await rt._credential()
    headers = {"User-Agent": USER_AGENT, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if state.cursor is not None:
        headers["Last-Event-ID"] = state.cursor
    expires_at = jwt_expiry(token) if token and rt._has_provider else None
    silence = rt.heartbeat_timeout or _lifecycle.SSE_HEARTBEAT_TIMEOUT
    timeout = aiohttp.ClientTimeout(total=None, connect=rt.open_timeout, sock_read=silence)
    up_since: float | None = None
    try:
        async with rt._client._http().get(
            rt._url("http"), params=[("topic", state.pattern)], headers=headers, timeout=timeout
        ) as response:
            if response.status != 200:
                raise await _refusal(response)
            up_since = time.monotonic()
            if refreshing:
                rt.token_refreshes += 1
            elif sub._live.done():
                rt.reconnects += 1
            rt._opened("sse")
            # Live once the first bytes arrive: the server writes them after it has started the
            # subscription (the response's headers come before).
            first = await response.content.readany()
            sub._confirm()
            deadline = (
                None
                if expires_at is None
                else asyncio.get_running_loop().time()
                + refresh_delay(expires_at, time.time(), rt.token_refresh_before)
            )
            refresh = asyncio.timeout_at(deadline)
            try:
                async with refresh:
                    await _read(sub, response, first)
            except TimeoutError:
                if refresh.expired():
                    raise _Refresh from None
                raise
            return up_since
    except _Refresh:
        raise
    except (aiohttp.ClientError, TimeoutError) as exc:
        retry = _Retry(APIConnectionError(f"SSE {rt._url('http')}: {exc or type(exc).__name__}"))
        retry.up_since = up_since
        raise retry from exc
    except _Retry as exc:
        exc.up_since = up_since
        raise


async def _refusal(response: aiohttp.ClientResponse) -> Exception:
    raw = await response.read()
    try:
        body: object = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    error = status_error(
        response.status,
        body,
        request_id=response.headers.get("X-Request-ID"),
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )
    if error.status in RETRYABLE_STATUSES:
        return _Retry(error, error.retry_after)
    return error


async def _read(sub: Subscription, response: aiohttp.ClientResponse, first: bytes) -> None:
    state = sub._state
    parser = SSEParser()
    chunk = first
    while chunk:
        for message in parser.feed(chunk):
            if isinstance(message, Comment):
                continue  # a heartbeat: its arrival already reset the read timeout
            try:
                frame = json.loads(message.data)
            except ValueError:
                # Garbled: a new stream resumes from the cursor and brings the event again, whole.
                logger.error("SSE: a `%s` message is not JSON: %.200r", message.event, message.data)
                raise _Retry(APIConnectionError("a garbled SSE message")) from None
            if message.event == "event":
                event = cast(EventFrame, {**frame, "type": "event"})
                if state.accept(event):
                    await sub._put(event)
            elif message.event == "reset":
                reset = cast(Reset, {**frame, "type": "reset"})
                state.reset(reset["oldest_cursor"])
                await sub._put(reset)
            elif message.event == "error":
                refusal = cast(ErrorFrame, frame)
                error = ServerError(
                    refusal["code"],
                    refusal.get("message", ""),
                    refusal.get("close_code"),
                    refusal.get("retry"),
                )
                if close_action(None, error) == "terminal":
                    raise ConnectionTerminated(error.message, code=error.code)
                if _refuses_subscription(error.code):
                    raise SubscriptionError(error.message, code=error.code)
                raise _Retry(APIConnectionError(f"the server ended the stream: {error.code}"))
        # A position given without an event (`id:` alone, as EventSource reads it) is where the
        # stream went live: a subscription that has seen no event yet resumes from there.
        if parser.last_event_id is not None:
            state.confirmed(parser.last_event_id)
        chunk = await response.content.readany()


def _refuses_subscription(code: str) -> bool:
    # Frame-level refusals (`invalid_cursor`, `too_many_subscriptions`) would recur on every
    # reconnection with the same request: the subscription ends instead.
    return code in {"invalid_cursor", "too_many_subscriptions", "not_subscribed", "invalid_frame"}
