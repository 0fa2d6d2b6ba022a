"""The realtime protocol, sans I/O: client frames in, typed commands and server frames out.

Nothing here touches a socket, NATS or the database, so every rule is tested with bytes alone
(server/tests/realtime/test_protocol.py). The WebSocket and SSE transports feed frames to a
`Session` and carry out the commands it returns.

Rules:
- A client frame is one JSON object of at most `max_frame_bytes`, with a known `type`; fields are
  checked as spec/schemas/realtime.yaml describes them. A frame that breaks this is a protocol
  violation: the session answers an `error` frame and asks the transport to close
  (`invalid_frame`, `frame_too_large`), since a client that speaks garbage is broken.
- `subscribe` needs the `subscribe` grant on the whole pattern (an API key's scopes or a client
  token's capabilities); a refusal is an `error` frame (`forbidden`), the connection stays.
- At most `max_subscriptions` patterns per connection (`too_many_subscriptions`).
- Subscribing again to a pattern already subscribed replaces it (new cursor); unsubscribing a
  pattern that is not subscribed is an error frame (`not_subscribed`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tidings_server import topics
from tidings_server.auth import grants as grants_mod

__all__ = [
    "Ack",
    "Auth",
    "ClientFrame",
    "Close",
    "Ping",
    "ProtocolError",
    "Reply",
    "Session",
    "StartSubscription",
    "StopSubscription",
    "Subscribe",
    "Unsubscribe",
    "parse_client_frame",
]

MAX_ID_LENGTH = 64
MAX_CURSOR_LENGTH = 128
MAX_TOKEN_LENGTH = 8192
_DURABLE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


# --- client frames ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscribe:
    topic: str
    cursor: str | None = None
    durable: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    topic: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Ack:
    durable: str
    cursor: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Ping:
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Auth:
    token: str
    id: str | None = None


ClientFrame = Subscribe | Unsubscribe | Ack | Ping | Auth


class ProtocolError(Exception):
    """A frame the protocol refuses; `code` is a registry code, `close` whether the connection ends."""

    def __init__(self, code: str, message: str, *, frame_id: str | None = None, close: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.frame_id = frame_id
        self.close = close


def _violation(message: str, frame_id: str | None = None) -> ProtocolError:
    return ProtocolError("invalid_frame", message, frame_id=frame_id, close=True)


def _opt_str(obj: Mapping[str, Any], key: str, max_length: int, frame_id: str | None) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise _violation(f"`{key}` must be a string of 1 to {max_length} characters", frame_id)
    return value


def _pattern(obj: Mapping[str, Any], frame_id: str | None) -> str:
    value = obj.get("topic")
    if not isinstance(value, str) or not topics.is_pattern(value):
        raise _violation(
            "`topic` must be a topic or pattern (dot-separated tokens, `*`, final `>`)", frame_id
        )
    return value


def _durable(obj: Mapping[str, Any], frame_id: str | None, *, required: bool) -> str | None:
    value = _opt_str(obj, "durable", 64, frame_id)
    if value is None:
        if required:
            raise _violation("`durable` is required", frame_id)
        return None
    if not set(value) <= _DURABLE_CHARS:
        raise _violation("`durable` is letters, digits, `_` and `-`", frame_id)
    return value


_FIELDS: dict[str, frozenset[str]] = {
    "subscribe": frozenset({"type", "id", "topic", "cursor", "durable"}),
    "unsubscribe": frozenset({"type", "id", "topic"}),
    "ack": frozenset({"type", "id", "durable", "cursor"}),
    "ping": frozenset({"type", "id"}),
    "auth": frozenset({"type", "id", "token"}),
}


def parse_client_frame(data: str | bytes, *, max_frame_bytes: int) -> ClientFrame:
    """One client frame, or ProtocolError."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > max_frame_bytes:
        raise ProtocolError("frame_too_large", f"frames are limited to {max_frame_bytes} bytes", close=True)
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise _violation("a frame is one JSON object") from None
    if not isinstance(obj, dict):
        raise _violation("a frame is one JSON object")
    raw_id = obj.get("id")
    frame_id = raw_id if isinstance(raw_id, str) and 1 <= len(raw_id) <= MAX_ID_LENGTH else None
    if raw_id is not None and frame_id is None:
        raise _violation(f"`id` must be a string of 1 to {MAX_ID_LENGTH} characters")
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise _violation(f"unknown frame type {kind!r}; expected one of {sorted(_FIELDS)}", frame_id)
    unknown = set(obj) - _FIELDS[kind]
    if unknown:
        raise _violation(f"unknown field(s) for {kind}: {sorted(unknown)}", frame_id)
    if kind == "subscribe":
        return Subscribe(
            topic=_pattern(obj, frame_id),
            cursor=_opt_str(obj, "cursor", MAX_CURSOR_LENGTH, frame_id),
            durable=_durable(obj, frame_id, required=False),
            id=frame_id,
        )
    if kind == "unsubscribe":
        return Unsubscribe(topic=_pattern(obj, frame_id), id=frame_id)
    if kind == "ack":
        durable = _durable(obj, frame_id, required=True)
        cursor = _opt_str(obj, "cursor", MAX_CURSOR_LENGTH, frame_id)
        if durable is None or cursor is None:
            raise _violation("`ack` needs `durable` and `cursor`", frame_id)
        return Ack(durable=durable, cursor=cursor, id=frame_id)
    if kind == "auth":
        token = _opt_str(obj, "token", MAX_TOKEN_LENGTH, frame_id)
        if token is None:
            raise _violation("`auth` needs `token`", frame_id)
        return Auth(token=token, id=frame_id)
    return Ping(id=frame_id)


# --- what a session asks the transport to do ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """Send this frame to the client."""

    frame: dict[str, Any]

    def encode(self) -> bytes:
        return orjson.dumps(self.frame)


@dataclass(frozen=True, slots=True)
class StartSubscription:
    """Start (or restart) delivery for `topic`, replaying after `cursor` if given, then reply
    `subscribed` (the transport knows the stream position to report)."""

    topic: str
    cursor: str | None
    durable: str | None
    id: str | None


@dataclass(frozen=True, slots=True)
class StopSubscription:
    topic: str


@dataclass(frozen=True, slots=True)
class AckDelivery:
    durable: str
    cursor: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Reauthenticate:
    """Verify `token`; on success call `Session.replace_grants`, on failure close (unauthenticated)."""

    token: str
    id: str | None


@dataclass(frozen=True, slots=True)
class Close:
    code: str
    message: str


Command = Reply | StartSubscription | StopSubscription | AckDelivery | Reauthenticate | Close


def error_frame(code: str, message: str, frame_id: str | None = None, **extra: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if frame_id is not None:
        frame["id"] = frame_id
    frame.update(extra)
    return frame


@dataclass(slots=True)
class Session:
    """One connection's protocol state: its grants and its subscriptions."""

    grants: Mapping[str, Sequence[str]]
    max_subscriptions: int
    max_frame_bytes: int
    subscriptions: dict[str, str | None] = field(default_factory=dict)
    """Pattern → durable subscription name (None for a plain subscription)."""
    last: ClientFrame | None = None
    """The last client frame `receive` parsed (None when it was not a valid frame)."""

    def receive(self, data: str | bytes) -> list[Command]:
        """Handle one client frame; the commands to carry out, in order."""
        self.last = None
        try:
            frame = parse_client_frame(data, max_frame_bytes=self.max_frame_bytes)
        except ProtocolError as exc:
            commands: list[Command] = [Reply(error_frame(exc.code, exc.message, exc.frame_id))]
            if exc.close:
                commands.append(Close(exc.code, exc.message))
            return commands
        self.last = frame
        return self.handle(frame)

    def handle(self, frame: ClientFrame) -> list[Command]:
        if isinstance(frame, Ping):
            return [Reply({"type": "pong", **({"id": frame.id} if frame.id else {})})]
        if isinstance(frame, Subscribe):
            return self._subscribe(frame)
        if isinstance(frame, Unsubscribe):
            if frame.topic not in self.subscriptions:
                return [Reply(error_frame("not_subscribed", f"not subscribed to {frame.topic!r}", frame.id))]
            del self.subscriptions[frame.topic]
            reply = {"type": "unsubscribed", "topic": frame.topic, **({"id": frame.id} if frame.id else {})}
            return [StopSubscription(frame.topic), Reply(reply)]
        if isinstance(frame, Ack):
            if frame.durable not in self.subscriptions.values():
                return [
                    Reply(
                        error_frame("not_subscribed", f"no durable subscription {frame.durable!r}", frame.id)
                    )
                ]
            return [AckDelivery(frame.durable, frame.cursor, frame.id)]
        return [Reauthenticate(frame.token, frame.id)]

    def _subscribe(self, frame: Subscribe) -> list[Command]:
        if not grants_mod.allows(self.grants, "subscribe", frame.topic):
            return [
                Reply(
                    error_frame(
                        "forbidden", f"this credential may not subscribe to {frame.topic!r}", frame.id
                    )
                )
            ]
        if frame.topic not in self.subscriptions and len(self.subscriptions) >= self.max_subscriptions:
            return [
                Reply(
                    error_frame(
                        "too_many_subscriptions",
                        f"a connection holds at most {self.max_subscriptions} subscriptions",
                        frame.id,
                    )
                )
            ]
        self.subscriptions[frame.topic] = frame.durable
        return [StartSubscription(frame.topic, frame.cursor, frame.durable, frame.id)]

    def replace_grants(self, grants: Mapping[str, Sequence[str]]) -> list[Command]:
        """A refreshed credential: subscriptions it no longer covers end (`unsubscribed`)."""
        self.grants = grants
        commands: list[Command] = []
        for pattern in [p for p in self.subscriptions if not grants_mod.allows(grants, "subscribe", p)]:
            del self.subscriptions[pattern]
            commands += [StopSubscription(pattern), Reply({"type": "unsubscribed", "topic": pattern})]
        return commands

    def matches(self, topic: str) -> list[str]:
        """The subscribed patterns that match a concrete `topic`."""
        return [pattern for pattern in self.subscriptions if topics.matches(pattern, topic)]
