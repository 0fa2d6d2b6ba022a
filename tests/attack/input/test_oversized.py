"""Oversized and extreme input: request heads (431), bodies (413), realtime frames (4409/1009),
JSON nesting and numbers at and past every bound (400), on every numeric field of the spec."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
import websockets

from tidings_server.config import Settings
from tidings_server.serving import MAX_HEAD_BYTES, MAX_HEADERS
from tidings_server.testing.attack import (
    NUMERIC_EXTREMES,
    Operation,
    Target,
    assert_problem,
    body_with,
    path_for,
)
from tidings_server.testing.rawhttp import RawResponse, raw_request
from tidings_server.validation import parameter_validator


def _head(path: str, extra: bytes = b"") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode() + extra + b"\r\n"


def _problem(response: RawResponse | None, status: int, code: str) -> None:
    assert response is not None
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert isinstance(body, dict)
    assert body["code"] == code, body


@pytest.mark.parametrize(
    "path", ["/healthz", "/v1/projects/{project}/events", "/v1/projects/{project}/stream?topic=a"]
)
@pytest.mark.parametrize(
    "extra",
    [
        b"X-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\n",
        b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1)),
        b"Cookie: " + b"c=" + b"x" * MAX_HEAD_BYTES + b"\r\n",
    ],
    ids=["header-bytes", "header-count", "cookie"],
)
async def test_oversized_heads_are_431(target: Target, path: str, extra: bytes) -> None:
    request = _head(
        path.format(project=target.project), f"Authorization: Bearer {target.key}\r\n".encode() + extra
    )
    _problem(await raw_request(target.server.port, request), 431, "request_header_fields_too_large")


async def test_an_oversized_request_target_is_431(target: Target) -> None:
    path = f"/v1/projects/{target.project}/stream?" + "topic=a&" * (MAX_HEAD_BYTES // 8)
    _problem(await raw_request(target.server.port, _head(path)), 431, "request_header_fields_too_large")


@pytest.mark.parametrize(
    "length", ["1000000000", "99999999999999999999999999", "-1", "1, 2", "0x10"], ids=lambda v: v[:12]
)
async def test_content_lengths_past_the_bound_or_malformed(target: Target, length: str) -> None:
    request = (
        f"POST /v1/projects/{target.project}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {target.key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    response = await raw_request(target.server.port, request)
    expected = (413, "payload_too_large") if length == "1000000000" else (400, "bad_request")
    _problem(response, *expected)


async def test_a_chunked_body_past_the_bound_is_413(target: Target) -> None:
    chunk = b"x" * 8192
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(16)) + b"0\r\n\r\n"
    request = (
        f"POST /v1/projects/{target.project}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {target.key}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode() + chunks
    _problem(await raw_request(target.server.port, request), 413, "payload_too_large")


async def test_an_event_over_the_event_bound_is_413(
    target: Target, http: httpx.AsyncClient, settings: Settings
) -> None:
    response = await http.post(
        f"/v1/projects/{target.project}/events",
        json={"topic": "a", "data": "x" * settings.max_event_bytes},
        headers={"authorization": f"Bearer {target.key}"},
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(("depth", "status"), [(129, 400), (1_000, 400), (100_000, 413)])
async def test_deeply_nested_json_is_refused(
    target: Target, http: httpx.AsyncClient, depth: int, status: int
) -> None:
    data = b"[" * depth + b"]" * depth
    response = await http.post(
        f"/v1/projects/{target.project}/events",
        content=b'{"topic": "a", "data": ' + data + b"}",
        headers={"authorization": f"Bearer {target.key}", "content-type": "application/json"},
    )
    assert_problem(response, status, "invalid_json" if status == 400 else "payload_too_large")


@pytest.mark.parametrize("value", [10**30, -(10**30), 2**64, -(2**63) - 1, "1e400", "-1e400", "1" * 5000])
async def test_numbers_past_any_bound_in_event_data(
    target: Target, http: httpx.AsyncClient, value: Any
) -> None:
    response = await http.post(
        f"/v1/projects/{target.project}/events",
        content=b'{"topic": "a", "data": {"n": ' + str(value).encode() + b"}}",
        headers={"authorization": f"Bearer {target.key}", "content-type": "application/json"},
    )
    assert_problem(response, 400, "invalid_json")


async def test_numeric_body_field_at_the_extremes(
    numeric_field: tuple[Operation, str, dict[str, Any]], target: Target, http: httpx.AsyncClient
) -> None:
    op, pointer, schema = numeric_field
    validator = parameter_validator(schema)
    path = path_for(op, {"project": target.project, "tenant": target.tenant})
    for value in NUMERIC_EXTREMES:
        if validator.is_valid(value):
            continue
        body = orjson.dumps(body_with(pointer, 0)).replace(b"0", _json_number(value), 1)
        response = await http.request(
            op.method.upper(),
            path,
            content=body,
            headers={**target.credential(op), "content-type": "application/json"},
        )
        assert_problem(response, 400)
        problem = response.json()
        if problem["code"] == "validation_failed":
            assert any(e["pointer"] == pointer for e in problem["errors"]), problem
        else:
            assert problem["code"] == "invalid_json", problem


def _json_number(value: Any) -> bytes:
    return str(value).encode() if isinstance(value, int) else repr(float(value)).encode()


FRAME_BOUND = 16_384  # the test settings' max_frame_bytes (the default)


@pytest.mark.parametrize(
    ("frame", "close_code"),
    [
        (b'{"type": "ping", "id": "' + b"x" * FRAME_BOUND + b'"}', 4409),
        (b'{"type": "ping", "id": "' + b"x" * 4 * FRAME_BOUND + b'"}', 1009),
        (b"[" * 4000 + b"]" * 4000, 4400),
        (b'{"type": "subscribe", "topic": "a", "id": 1e400}', 4400),
        (b'{"type": "subscribe", "topic": "a", "cursor": 100000000000000000000000000000}', 4400),
        (b'{"type": "subscribe", "topic": "a\\u0000b"}', 4400),
        (b'{"type": "subscribe", "topic": "a", "durable": "d\\n"}', 4400),
    ],
    ids=[
        "over-frame-bound",
        "over-library-bound",
        "deep-nesting",
        "huge-id",
        "huge-cursor",
        "nul-topic",
        "nl-durable",
    ],
)
async def test_hostile_websocket_frames(
    target: Target, settings: Settings, frame: bytes, close_code: int
) -> None:
    assert settings.max_frame_bytes == FRAME_BOUND
    url = f"{target.server.ws_url}/v1/projects/{target.project}/ws"
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {target.key}"}, max_size=None
    ) as ws:
        await ws.recv()  # welcome
        await ws.send(frame.decode())
        await ws.wait_closed()
    assert ws.close_code == close_code
