"""The client side of the realtime protocol, sans I/O: server frames in, items and decisions out.

Nothing here touches a socket or a clock, so every rule is tested with bytes alone
(tests/realtime/test_protocol.py); the WebSocket and SSE adapters feed it what they read.

Rules the state keeps:
- Each subscription remembers the cursor of the last event it handed on (or, before any event,
  the position `subscribed` reported when it went live, or the cursor it started from). After a
  reconnection it is subscribed again from that cursor, so the server replays exactly what was
  missed: no gap.
- A plain subscription drops an event whose cursor it has already handed on (a bounded window of
  recent cursors), so an overlap between a replay and live delivery is never a duplicate. Cursors
  are opaque: they are compared for equality only, never ordered.
- A durable subscription does not de-duplicate: an unacknowledged event delivered again is the
  point of it (at least once); the caller acknowledges by the event's cursor.
- A `reset` moves the subscription's cursor to `oldest_cursor` and is handed to the caller: the
  events between were removed, and only the caller knows what to do about it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast

from tidings.generated.errors import BY_CLOSE_CODE, ERRORS, ErrorCode
from tidings.generated.models import (
    Ack,
    Auth,
    Authed,
    ErrorFrame,
    Event,
    EventFrame,
    EventsFrame,
    Ping,
    Reset,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    Welcome,
)

__all__ = [
    "DEDUP_WINDOW",
    "Action",
    "ClientProtocol",
    "Confirmed",
    "Deliver",
    "Ended",
    "Item",
    "Output",
    "Pong",
    "ProtocolViolation",
    "Reauthed",
    "Refused",
    "ServerError",
    "SubscriptionState",
    "Welcomed",
    "close_action",
    "encode",
    "parse_server_frame",
    "topic_matches",
]

#: What a subscription yields: an event, or the news that events were removed before it read them.
Item: TypeAlias = EventFrame | Reset
Action: TypeAlias = Literal["reconnect", "terminal"]

# Cursors remembered per plain subscription to drop a re-sent event. A duplicate can only come
# from events in flight when a connection is replaced (a replay overlapping live delivery), far
# fewer than this; 4096 cursors of ~63 bytes is ~260 KiB at worst per subscription.
DEDUP_WINDOW = 4096


class ProtocolViolation(Exception):
    """The server sent something that is not a frame of the protocol."""


def topic_matches(pattern: str, topic: str) -> bool:
    """Whether the concrete `topic` matches `pattern` (NATS: `*` one token, final `>` the rest)."""
    p, t = pattern.split("."), topic.split(".")
    for i, part in enumerate(p):
        if part == ">":
            return i < len(t)
        if i >= len(t) or (part != "*" and part != t[i]):
            return False
    return len(p) == len(t)


def encode(frame: Subscribe | Unsubscribe | Ack | Ping | Auth) -> str:
    """A client frame as the text of one WebSocket message."""
    return json.dumps(frame, separators=(",", ":"))


@dataclass
class SubscriptionState:
    """One subscription's position, kept across connections."""

    pattern: str
    durable: str | None = None
    cursor: str | None = None
    """Where to resume: the last cursor handed on, else `subscribed`'s, else the one given."""
    _seen: set[str] = field(default_factory=set, repr=False)
    _order: deque[str] = field(default_factory=deque, repr=False)
    # Whether `cursor` comes from an event (or a reset) rather than the start or `subscribed`;
    # `subscribed`'s position only fills in a subscription that has none, lest a replay in
    # flight be skipped.
    _positioned: bool = field(default=False, repr=False)

    def subscribe_frame(self, frame_id: str | None = None) -> Subscribe:
        """The frame that (re)starts this subscription where it left off."""
        frame: Subscribe = {"type": "subscribe", "topic": self.pattern}
        if frame_id is not None:
            frame["id"] = frame_id
        # A durable subscription's position is the server's (acknowledgements); a cursor would
        # skip events that were delivered but never acknowledged.
        if self.durable is not None:
            frame["durable"] = self.durable
        elif self.cursor is not None:
            frame["cursor"] = self.cursor
        return frame

    def accept(self, event: EventFrame) -> bool:
        """Whether `event` is new to this subscription; if so it becomes the resume position."""
        cursor = event["cursor"]
        if self.durable is None:
            if cursor in self._seen:
                return False
            self._seen.add(cursor)
            self._order.append(cursor)
            if len(self._order) > DEDUP_WINDOW:
                self._seen.discard(self._order.popleft())
        self.cursor = cursor
        self._positioned = True
        return True

    def confirmed(self, cursor: str | None) -> None:
        """`subscribed` arrived, reporting the live position `cursor`."""
        if cursor is not None and self.cursor is None and not self._positioned:
            self.cursor = cursor

    def reset(self, oldest_cursor: str) -> None:
        self.cursor = oldest_cursor
        self._positioned = True


# --- what a received frame means ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Welcomed:
    connection_id: str
    heartbeat_ms: int
    max_frame_bytes: int


@dataclass(frozen=True, slots=True)
class Deliver:
    """Hand `item` to the caller of the subscription of `pattern`."""

    pattern: str
    item: Item


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The subscription of `pattern` is live (`subscribed`)."""

    pattern: str
    frame_id: str | None


@dataclass(frozen=True, slots=True)
class Ended:
    """`unsubscribed`: answering our `unsubscribe` (with its `frame_id`), or, unasked, the server
    ended the subscription of `pattern` (a refreshed credential no longer allows it)."""

    pattern: str
    frame_id: str | None


@dataclass(frozen=True, slots=True)
class Reauthed:
    frame_id: str | None
    expires_at: str


@dataclass(frozen=True, slots=True)
class Pong:
    frame_id: str | None


@dataclass(frozen=True, slots=True)
class Refused:
    """An `error` frame answering one of our frames; the connection stays open."""

    frame_id: str | None
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ServerError:
    """An `error` frame announcing that the server is closing the connection."""

    code: str
    message: str
    close_code: int | None
    retry: bool | None


Output: TypeAlias = Welcomed | Deliver | Confirmed | Ended | Reauthed | Pong | Refused | ServerError


class ClientProtocol:
    """The subscriptions of one realtime connection object, across its transports and reconnects."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, SubscriptionState] = {}

    def add(
        self, pattern: str, *, cursor: str | None = None, durable: str | None = None
    ) -> SubscriptionState:
        if pattern in self.subscriptions:
            # The server keys subscriptions by pattern: a second one would replace the first.
            raise ValueError(f"already subscribed to {pattern!r} on this connection")
        state = SubscriptionState(pattern, durable=durable, cursor=cursor)
        self.subscriptions[pattern] = state
        return state

    def remove(self, pattern: str) -> None:
        self.subscriptions.pop(pattern, None)

    def receive(self, data: str | bytes) -> list[Output]:
        """What one WebSocket message from the server means."""
        return self.handle(parse_server_frame(data))

    def handle(self, frame: dict[str, object]) -> list[Output]:
        kind = frame.get("type")
        frame_id = _opt_str(frame, "id")
        if kind == "event":
            return self.deliver_events([cast(EventFrame, frame)])
        if kind == "events":
            batch = cast(EventsFrame, frame)
            events = batch.get("events")
            if not isinstance(events, list):
                raise ProtocolViolation("`events` frame without an `events` array")
            return self.deliver_events([_as_event_frame(e, batch.get("durable")) for e in events])
        if kind == "welcome":
            welcome = cast(Welcome, frame)
            return [Welcomed(welcome["connection_id"], welcome["heartbeat_ms"], welcome["max_frame_bytes"])]
        if kind == "subscribed":
            subscribed = cast(Subscribed, frame)
            state = self.subscriptions.get(subscribed["topic"])
            if state is None:
                return []  # answered after we unsubscribed
            state.confirmed(subscribed.get("cursor"))
            return [Confirmed(state.pattern, frame_id)]
        if kind == "reset":
            reset = cast(Reset, frame)
            state = self.subscriptions.get(reset["topic"])
            if state is None:
                return []
            state.reset(reset["oldest_cursor"])
            return [Deliver(state.pattern, reset)]
        if kind == "unsubscribed":
            return [Ended(cast(Unsubscribed, frame)["topic"], frame_id)]
        if kind == "authed":
            return [Reauthed(frame_id, cast(Authed, frame)["expires_at"])]
        if kind == "pong":
            return [Pong(frame_id)]
        if kind == "error":
            error = cast(ErrorFrame, frame)
            code, message = error["code"], error.get("message", "")
            close_code = error.get("close_code")
            if close_code is not None or not _answers_a_frame(code, frame_id):
                return [ServerError(code, message, close_code, error.get("retry"))]
            return [Refused(frame_id, code, message)]
        # A newer server's frame type: ignoring it keeps old clients working.
        return []

    def deliver_events(self, events: Iterable[EventFrame]) -> list[Output]:
        """Route events to the subscriptions they belong to, dropping what each has seen."""
        out: list[Output] = []
        for event in events:
            durable = event.get("durable")
            for state in self.subscriptions.values():
                if durable is not None:
                    if state.durable != durable:
                        continue
                elif state.durable is not None or not topic_matches(state.pattern, event["topic"]):
                    continue
                if state.accept(event):
                    out.append(Deliver(state.pattern, event))
        return out


def parse_server_frame(data: str | bytes) -> dict[str, object]:
    try:
        frame = json.loads(data)
    except ValueError as exc:
        raise ProtocolViolation(f"a server frame is not JSON: {exc}") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolViolation("a server frame is a JSON object with a `type`")
    return frame


def _as_event_frame(event: Event, durable: str | None) -> EventFrame:
    # One shape for the caller whether the event came alone (`event`) or in a batch (`events`).
    frame = cast(EventFrame, {"type": "event", **event})
    if durable is not None:
        frame["durable"] = durable
    return frame


def _opt_str(frame: dict[str, object], key: str) -> str | None:
    value = frame.get(key)
    return value if isinstance(value, str) else None


def _answers_a_frame(code: str, frame_id: str | None) -> bool:
    """Whether an `error` frame without a close code refuses one of our frames (the connection
    stays) rather than announcing the end of the connection."""
    if frame_id is not None:
        return True
    try:
        info = ERRORS[ErrorCode(code)]
    except ValueError:
        return True
    return info.frame or info.close_code is None


def close_action(close_code: int | None, error: ServerError | None = None) -> Action:
    """Whether to reconnect after a connection ended with `close_code` (and the `error` frame
    announcing it, if one came).

    The registry decides: by the close code, else by the error frame's code, else the frame's
    own `retry`. Standard WebSocket codes that say the peer broke the protocol or policy are
    terminal; everything else (1000 normal closure, 1001 going away, 1006 a lost connection,
    1011 server error, and codes newer than this SDK) reconnects with backoff, resuming from the
    cursors: a client that gives up on an unknown code would stop for good on a transient cause.
    """
    if close_code is not None and close_code in BY_CLOSE_CODE:
        action = BY_CLOSE_CODE[close_code].action
        if action is not None:
            return action
    if error is not None:
        try:
            action = ERRORS[ErrorCode(error.code)].action
        except ValueError:
            action = None
        if action is not None:
            return action
        if error.retry is not None:
            return "reconnect" if error.retry else "terminal"
    if close_code in _TERMINAL_STANDARD_CODES:
        return "terminal"
    return "reconnect"


# 1002 protocol error, 1003 unsupported data, 1007 invalid payload, 1008 policy violation,
# 1009 message too big, 1010 mandatory extension: the same client would fail the same way.
_TERMINAL_STANDARD_CODES = frozenset({1002, 1003, 1007, 1008, 1009, 1010})
