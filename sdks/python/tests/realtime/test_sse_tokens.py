"""The SSE parser (bytes in, messages out) and the token expiry arithmetic."""

from __future__ import annotations

import base64
import json

from tidings.realtime._tokens import jwt_expiry, parse_timestamp, refresh_delay
from tidings.realtime.sse import Comment, SSEMessage, SSEParser

STREAM = (
    b"retry: 2000\n\n: ok\n\n"
    b'id: c1\nevent: event\ndata: {"type":"event","cursor":"c1"}\n\n'
    b'event: reset\r\ndata: {"type":"reset"}\r\n\r\n'
    b": hb\n\n"
    b"data: line one\ndata: line two\n\n"
)


def test_a_stream_in_one_piece() -> None:
    out = SSEParser().feed(STREAM)
    assert out == [
        Comment("ok"),
        SSEMessage("event", '{"type":"event","cursor":"c1"}', "c1"),
        SSEMessage("reset", '{"type":"reset"}', "c1"),  # the last event id persists
        Comment("hb"),
        SSEMessage("message", "line one\nline two", "c1"),
    ]


def test_a_stream_byte_by_byte_gives_the_same_messages() -> None:
    parser = SSEParser()
    out = [item for i in range(len(STREAM)) for item in parser.feed(STREAM[i : i + 1])]
    assert out == SSEParser().feed(STREAM)


def test_a_message_waits_for_its_blank_line_and_a_lone_cr_ends_a_line() -> None:
    parser = SSEParser()
    assert parser.feed(b"event: event\rdata: x\r") == []
    # A CR at the end may be half of a CRLF: the line ends when the next byte says which.
    assert parser.feed(b"\r") == []
    assert parser.feed(b":") == [SSEMessage("event", "x", None)]
    assert parser.feed(b"\n") == [Comment("")]
    assert SSEParser().feed(b"\xef\xbb\xbfdata: y\n\n") == [SSEMessage("message", "y", None)]  # a BOM first


def _jwt(claims: dict[str, object]) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part(claims)}.signature"


def test_the_expiry_of_a_jwt_is_read_and_anything_else_has_none() -> None:
    assert jwt_expiry(_jwt({"sub": "u", "exp": 1_900_000_000})) == 1_900_000_000.0
    assert jwt_expiry(_jwt({"sub": "u"})) is None
    assert jwt_expiry("tdg_live_abc_secret") is None
    assert jwt_expiry("a.b.c") is None


def test_refresh_comes_ahead_of_expiry_but_never_in_a_loop() -> None:
    assert refresh_delay(expires_at=1000.0, now=0.0, before=30.0) == 970.0
    assert refresh_delay(expires_at=30.0, now=0.0, before=60.0) == 15.0  # half the lifetime
    assert refresh_delay(expires_at=10.0, now=20.0, before=30.0) == 0.0  # already expired: now
    assert parse_timestamp("2030-01-01T00:00:00Z") == 1_893_456_000.0
    assert parse_timestamp("soon") is None
