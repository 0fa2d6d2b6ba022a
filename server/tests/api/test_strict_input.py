"""Input the server used to accept or crash on (issue 12, items 6-8): every pattern is checked
with full-match semantics, an empty Content-Type is a 415, a malformed path id is a 404/4404."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import websockets

from tidings_server import serving
from tidings_server.config import Settings
from tidings_server.observability.logging import ConsoleFormatter
from tidings_server.realtime.websocket import gateway_socket
from tidings_server.serving import MAX_HEAD_BYTES, MAX_HEADERS, BoundedHttpToolsProtocol
from tidings_server.testing.live import LiveServer
from tidings_server.testing.rawhttp import RawResponse, raw_request
from tidings_server.testing.realtime import Project, new_project


@pytest.fixture
async def project(server: LiveServer, http: httpx.AsyncClient) -> Project:
    return await new_project(server, http)


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def _user(project: Project) -> dict[str, str]:
    return {"authorization": f"Bearer {project.user_token}"}


# --- item 6: a trailing newline passes no pattern ----------------------------------------------


async def test_publish_topic_with_a_trailing_newline_is_refused(project: Project) -> None:
    response = await project.http.post(
        f"/v1/projects/{project.id}/events",
        json={"topic": "orders.created\n", "data": {}},
        headers=project.headers,
    )
    _refused(response, 400, "validation_failed")
    assert response.json()["errors"][0]["pointer"] == "/topic"


async def test_replay_filter_with_a_trailing_newline_is_refused(project: Project) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/events", params={"topic": "orders.created\n"}, headers=project.headers
    )
    _refused(response, 400, "validation_failed")


async def test_since_with_a_trailing_newline_is_refused(project: Project) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/events",
        params={"since": "2026-01-01T00:00:00Z\n"},
        headers=project.headers,
    )
    _refused(response, 400, "validation_failed")


async def test_usage_date_with_a_trailing_newline_is_refused(project: Project) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/usage", params={"start": "2026-01-01\n"}, headers=_user(project)
    )
    _refused(response, 400, "validation_failed")


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/v1/tenants/{tenant}/projects", {"slug": "p2\n", "name": "P"}),
        ("/v1/projects/{project}/signing-keys", {"kid": "k1\n", "alg": "HS256"}),
        ("/v1/projects/{project}/schemas", {"topic": "orders.*\n", "schema": {"type": "object"}}),
        ("/v1/projects/{project}/keys", {"name": "k", "scopes": {"publish": ["orders.>\n"]}}),
        ("/v1/projects/{project}/tokens", {"user_id": "u1", "capabilities": {"subscribe": ["a\n"]}}),
        ("/v1/projects/{project}/tokens", {"user_id": "u1\n", "capabilities": {"subscribe": ["a"]}}),
        ("/v1/projects/{project}/subscriptions", {"name": "s1\n", "topic": "orders.*"}),
        ("/v1/projects/{project}/subscriptions", {"name": "s1", "topic": "orders.*\n"}),
    ],
)
async def test_bodies_with_a_trailing_newline_are_refused(
    project: Project, route: str, body: dict[str, Any]
) -> None:
    # Client tokens are minted by a backend with its API key; the rest is managed by a user.
    headers = project.headers if route.endswith("/tokens") else _user(project)
    response = await project.http.post(
        route.format(tenant=project.tenant_id, project=project.id), json=body, headers=headers
    )
    _refused(response, 400, "validation_failed")


async def test_signup_email_with_a_trailing_newline_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/auth/signup",
        json={
            "email": "newline@example.com\n",
            "password": "password-long-enough",
            "name": "N",
            "tenant": {"slug": "newline", "name": "N"},
        },
    )
    _refused(response, 400, "validation_failed")


async def test_subscription_path_with_a_trailing_newline_is_not_found(project: Project) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/subscriptions/s1%0A", headers=project.headers
    )
    _refused(response, 404, "not_found")


async def test_sse_topic_with_a_trailing_newline_is_refused(project: Project) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/stream", params={"topic": "orders.created\n"}, headers=project.headers
    )
    _refused(response, 400, "validation_failed")


async def test_ws_subscribe_with_a_trailing_newline_is_refused(project: Project) -> None:
    async with websockets.connect(
        project.ws_url, additional_headers={"Authorization": f"Bearer {project.key}"}
    ) as ws:
        await ws.recv()  # welcome
        await ws.send('{"type": "subscribe", "topic": "orders.created\\n"}')
        assert '"invalid_frame"' in str(await ws.recv())
        await ws.wait_closed()
    assert ws.close_code == 4400


# --- item 7: publish with an empty Content-Type ------------------------------------------------


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/x-www-form-urlencoded"])
async def test_publish_without_a_json_content_type_is_415(project: Project, content_type: str) -> None:
    response = await project.http.post(
        f"/v1/projects/{project.id}/events",
        content=b'{"topic": "orders.created", "data": {}}',
        headers={**project.headers, "content-type": content_type},
    )
    _refused(response, 415, "unsupported_media_type")


# --- item 8: a malformed project id is 404 / 4404 ----------------------------------------------

MALFORMED_IDS = ["-" * 36, "0" * 36, "not-a-uuid", "00000000-0000-0000-0000-00000000000g"]


@pytest.mark.parametrize("project_id", MALFORMED_IDS)
async def test_ws_with_a_malformed_project_id_closes_4404(server: LiveServer, project_id: str) -> None:
    async with websockets.connect(f"{server.ws_url}/v1/projects/{project_id}/ws") as ws:
        frame = await ws.recv()
        await ws.wait_closed()
    assert '"not_found"' in str(frame)
    assert ws.close_code == 4404


@pytest.mark.parametrize("project_id", MALFORMED_IDS)
async def test_sse_with_a_malformed_project_id_is_404(http: httpx.AsyncClient, project_id: str) -> None:
    response = await http.get(f"/v1/projects/{project_id}/stream", params={"topic": ">"})
    _refused(response, 404, "not_found")


@pytest.mark.parametrize("project_id", MALFORMED_IDS)
async def test_rest_with_a_malformed_project_id_is_404(project: Project, project_id: str) -> None:
    response = await project.http.get(f"/v1/projects/{project_id}/events", headers=project.headers)
    _refused(response, 404, "not_found")


def _raw_publish(project: Project, content_type_line: bytes) -> bytes:
    body = b'{"topic": "orders.created", "data": {}}'
    return (
        b"POST /v1/projects/" + project.id.encode() + b"/events HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\nConnection: close\r\n"
        b"Authorization: Bearer "
        + project.key.encode()
        + b"\r\n"
        + content_type_line
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


@pytest.mark.parametrize("line", [b"", b"Content-Type:\r\n", b"Content-Type: \r\n", b"Content-Type: ;\r\n"])
async def test_publish_with_an_empty_or_missing_content_type_is_415(project: Project, line: bytes) -> None:
    response = await raw_request(project.server.port, _raw_publish(project, line))
    assert response is not None
    assert response.status == 415, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {**response.json(), "code": "unsupported_media_type"}


# --- item 10: the REST/SSE port bounds the request head ----------------------------------------


def _get(path: bytes, extra: bytes) -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + b"\r\n"


def _is_431(response: RawResponse | None) -> None:
    assert response is not None
    assert response.status == 431, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    body = response.json()
    assert isinstance(body, dict)
    assert body["code"] == "request_header_fields_too_large"


@pytest.mark.parametrize(
    "extra",
    [
        b"X-Big: " + b"a" * (MAX_HEAD_BYTES + 1) + b"\r\n",
        b"".join(b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS + 1)),
    ],
    ids=["bytes", "fields"],
)
async def test_a_request_head_over_the_bound_is_431(server: LiveServer, extra: bytes) -> None:
    _is_431(await raw_request(server.port, _get(b"/healthz", extra)))


async def test_a_request_target_over_the_bound_is_431(server: LiveServer) -> None:
    _is_431(await raw_request(server.port, _get(b"/healthz?" + b"a" * MAX_HEAD_BYTES, b"")))


@pytest.mark.parametrize(
    "extra",
    [b"X-Big: " + b"a" * (16 * 1024 * 1024) + b"\r\n", b"".join(b"X-H%d: v\r\n" % i for i in range(20_000))],
    ids=["16MiB", "20000-fields"],
)
async def test_a_huge_head_is_cut_off_and_the_server_stays_up(
    server: LiveServer, http: httpx.AsyncClient, extra: bytes
) -> None:
    # The server answers 431 and closes after the bound; the client, still sending, may see
    # the connection reset instead of the answer.
    response = await raw_request(server.port, _get(b"/healthz", extra))
    if response is not None:
        _is_431(response)
    assert (await http.get("/healthz")).status_code == 200


async def test_a_head_within_the_bound_is_served(server: LiveServer) -> None:
    extra = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 256) for i in range(MAX_HEADERS - 8))
    response = await raw_request(server.port, _get(b"/healthz", extra))
    assert response is not None
    assert response.status == 200


def test_the_served_port_uses_the_bounded_protocol(settings: Settings) -> None:
    sock = gateway_socket("127.0.0.1", 0, reuse_port=False)
    try:
        assert serving._config(settings, sock).http is BoundedHttpToolsProtocol
    finally:
        sock.close()


# --- item 11: the access log cannot be forged through the path --------------------------------


async def test_the_access_log_line_keeps_control_characters_escaped(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tidings.access")
    request = _get(b"/v1/x%0A12:00:00%20INFO%20forged%1B[2J%00", b"")
    response = await raw_request(server.port, request)
    assert response is not None
    assert response.status == 404
    [record] = [r for r in caplog.records if r.name == "tidings.access" and "forged" in r.getMessage()]
    line = ConsoleFormatter().format(record)
    assert "GET /v1/x%0A12:00:00 INFO forged%1B[2J%00 404 status=404" in line, line
    assert "\n" not in line


@pytest.mark.parametrize("limit", [" 1", "1\n", "+1", "1_0", "\u0661"])
async def test_an_integer_query_parameter_is_its_plain_literal(project: Project, limit: str) -> None:
    response = await project.http.get(
        f"/v1/projects/{project.id}/events", params={"limit": limit}, headers=project.headers
    )
    _refused(response, 400, "validation_failed")


# --- found by the attack suite: JSON the body validator passed on to be mangled or to crash ---


@pytest.mark.parametrize("depth", [129, 1_000])
async def test_deeply_nested_json_is_invalid_json(project: Project, depth: int) -> None:
    response = await project.http.post(
        f"/v1/projects/{project.id}/events",
        content=b'{"topic": "a", "data": ' + b"[" * depth + b"]" * depth + b"}",
        headers={**project.headers, "content-type": "application/json"},
    )
    _refused(response, 400, "invalid_json")


@pytest.mark.parametrize("number", [b"18446744073709551616", b"-9223372036854775809", b"1" * 30])
async def test_integers_past_64_bits_are_invalid_json(project: Project, number: bytes) -> None:
    # orjson reads them as floats: the event would be stored altered.
    response = await project.http.post(
        f"/v1/projects/{project.id}/events",
        content=b'{"topic": "a", "data": {"n": ' + number + b"}}",
        headers={**project.headers, "content-type": "application/json"},
    )
    _refused(response, 400, "invalid_json")


async def test_64_bit_integers_and_long_digit_strings_are_kept(project: Project) -> None:
    data = {"max": 2**64 - 1, "min": -(2**63), "text": "1" * 40}
    published = await project.publish("a", data)
    replay = await project.http.get(
        f"/v1/projects/{project.id}/events", params={"topic": "a"}, headers=project.headers
    )
    assert [e["data"] for e in replay.json()["items"] if e["cursor"] == published["cursor"]] == [data]
