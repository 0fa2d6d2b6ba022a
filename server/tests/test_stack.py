"""The HTTP stack's error behaviour: every error is problem+json with a stable code, request ids
flow through, bodies are limited, and nothing internal leaks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from tidings_server.config import Settings
from tidings_server.spec import spec_dir
from tidings_server.testing.live import LiveServer, live_server

ECHO_SPEC = Path(__file__).parent / "support" / "echo.yaml"
PROBLEM_SCHEMA = yaml.safe_load((spec_dir() / "schemas" / "problem.yaml").read_text())


@pytest.fixture(scope="module")
def echo_server(settings: Settings) -> Iterator[LiveServer]:
    with live_server(settings, api_spec=ECHO_SPEC) as running:
        yield running


@pytest.fixture
async def echo(echo_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=echo_server.url, timeout=10) as client:
        yield client


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    jsonschema.validate(body, PROBLEM_SCHEMA)
    assert body["code"] == code
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_a_valid_body_passes(echo: httpx.AsyncClient) -> None:
    response = await echo.post("/echo", json={"name": "a", "count": 1})
    assert response.status_code == 200
    assert response.json() == {"name": "a", "count": 1}


async def test_unknown_route_is_404(http: httpx.AsyncClient) -> None:
    assert_problem(await http.get("/no/such/route"), 404, "not_found")


async def test_wrong_method_is_405_with_allow(http: httpx.AsyncClient) -> None:
    response = await http.delete("/healthz")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_body_that_is_not_utf8_is_400_invalid_json(echo: httpx.AsyncClient) -> None:
    response = await echo.post(
        "/echo", content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "invalid_json")


async def test_body_with_an_unknown_charset_is_400(echo: httpx.AsyncClient) -> None:
    response = await echo.post(
        "/echo", content=b'{"name": "a"}', headers={"content-type": "application/json;charset=klingon"}
    )
    assert_problem(response, 400, "invalid_json")


@pytest.mark.parametrize("body", [b"{", b"not json", b'{"name": "a",}', b"\x00"])
async def test_body_that_is_not_json_is_400_invalid_json(echo: httpx.AsyncClient, body: bytes) -> None:
    response = await echo.post("/echo", content=body, headers={"content-type": "application/json"})
    assert_problem(response, 400, "invalid_json")


async def test_schema_violations_are_all_listed_with_pointers(echo: httpx.AsyncClient) -> None:
    response = await echo.post(
        "/echo", json={"name": "far too long a name", "count": -1, "tags": [1], "x": 0}
    )
    body = assert_problem(response, 400, "validation_failed")
    pointers = {e["pointer"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"/name", "/count", "/tags/0", ""} <= pointers


async def test_missing_body_is_400(echo: httpx.AsyncClient) -> None:
    response = await echo.post("/echo", headers={"content-type": "application/json"})
    assert_problem(response, 400, "validation_failed")


async def test_wrong_content_type_is_415(echo: httpx.AsyncClient) -> None:
    response = await echo.post("/echo", content=b"name=a", headers={"content-type": "text/plain"})
    assert_problem(response, 415, "unsupported_media_type")


async def test_body_over_the_limit_by_content_length_is_413(
    echo: httpx.AsyncClient, settings: Settings
) -> None:
    big = b'{"name": "' + b"a" * settings.max_body_bytes + b'", "count": 1}'
    assert_problem(
        await echo.post("/echo", content=big, headers={"content-type": "application/json"}),
        413,
        "payload_too_large",
    )


async def test_chunked_body_over_the_limit_is_413(echo: httpx.AsyncClient, settings: Settings) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(settings.max_body_bytes // 4096 + 2):
            yield b"a" * 4096
        yield b'", "count": 1}'

    response = await echo.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413, "payload_too_large")


async def test_unexpected_error_is_500_without_internals(echo: httpx.AsyncClient) -> None:
    response = await echo.get("/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "db.internal" not in response.text
    assert body["detail"] == "an unexpected error occurred; quote the request id to support"


async def test_a_valid_client_request_id_is_echoed(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz", headers={"x-request-id": "client-req.42"})
    assert response.headers["x-request-id"] == "client-req.42"


@pytest.mark.parametrize("bad", ["", "has space", "x" * 200, "semi;colon"])
async def test_an_invalid_client_request_id_is_replaced(http: httpx.AsyncClient, bad: str) -> None:
    response = await http.get("/healthz", headers={"x-request-id": bad})
    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_problem_request_id_matches_the_header(http: httpx.AsyncClient) -> None:
    response = await http.get("/missing", headers={"x-request-id": "abc-123"})
    assert assert_problem(response, 404, "not_found")["request_id"] == "abc-123"
