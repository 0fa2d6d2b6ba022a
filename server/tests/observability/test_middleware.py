"""RequestMetricsMiddleware: one count and one latency observation per request, labelled by
operation (never the raw path), method and status."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import ASGIApp, Message

from tidings_server.observability.metrics import REGISTRY
from tidings_server.observability.middleware import UNMATCHED, RequestMetricsMiddleware

ECHO = "support.echo_api.echo"
COUNT = "tidings_http_requests_total"
LATENCY = "tidings_http_request_duration_seconds_count"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(scope="module")
def app(stack: ASGIApp) -> ASGIApp:
    return RequestMetricsMiddleware(stack)


@pytest.fixture
async def client(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_spec_operation_is_labelled_by_operation_id(client: httpx.AsyncClient) -> None:
    before = sample(COUNT, operation=ECHO, method="POST", status="200")
    latency_before = sample(LATENCY, operation=ECHO, method="POST", status_class="2xx")
    response = await client.post("/echo", json={"name": "a", "count": 1})
    assert response.status_code == 200
    assert sample(COUNT, operation=ECHO, method="POST", status="200") == before + 1
    assert sample(LATENCY, operation=ECHO, method="POST", status_class="2xx") == latency_before + 1


async def test_a_validation_error_counts_under_its_operation(client: httpx.AsyncClient) -> None:
    before = sample(COUNT, operation=ECHO, method="POST", status="400")
    response = await client.post("/echo", json={"name": "much too long a name", "count": 1})
    assert response.status_code == 400
    assert sample(COUNT, operation=ECHO, method="POST", status="400") == before + 1


async def test_an_unhandled_error_counts_as_500(client: httpx.AsyncClient) -> None:
    before = sample(COUNT, operation="support.echo_api.boom", method="GET", status="500")
    response = await client.get("/boom")
    assert response.status_code == 500
    assert sample(COUNT, operation="support.echo_api.boom", method="GET", status="500") == before + 1


async def test_a_route_outside_the_spec_is_labelled_by_its_template(client: httpx.AsyncClient) -> None:
    before = sample(COUNT, operation="/plain/{name}", method="GET", status="200")
    assert (await client.get("/plain/alice")).status_code == 200
    assert (await client.get("/plain/bob")).status_code == 200
    assert sample(COUNT, operation="/plain/{name}", method="GET", status="200") == before + 2
    assert sample(COUNT, operation="/plain/alice", method="GET", status="200") == 0


async def test_unknown_paths_share_one_label(client: httpx.AsyncClient) -> None:
    before = sample(COUNT, operation=UNMATCHED, method="GET", status="404")
    for path in ("/wp-admin", "/.env", "/no/such/thing"):
        assert (await client.get(path)).status_code == 404
    assert sample(COUNT, operation=UNMATCHED, method="GET", status="404") == before + 3
    assert sample(COUNT, operation="/wp-admin", method="GET", status="404") == 0


async def test_an_invented_method_is_labelled_other(client: httpx.AsyncClient) -> None:
    before = sum(sample(COUNT, operation=op, method="OTHER", status="405") for op in (ECHO, UNMATCHED))
    response = await client.request("BREW", "/echo")
    after = sum(sample(COUNT, operation=op, method="OTHER", status="405") for op in (ECHO, UNMATCHED))
    assert response.status_code == 405
    assert after == before + 1


async def websocket(app: ASGIApp, path: str) -> list[Message]:
    """Drive one WebSocket connection through the middleware; returns what the app sent."""
    sent: list[Message] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "subprotocols": [],
        "asgi": {"version": "3.0"},
    }
    await app(scope, receive, send)
    return sent


async def test_a_websocket_upgrade_counts_as_101_under_its_template(app: ASGIApp) -> None:
    before = sample(COUNT, operation="/ws/{project}", method="GET", status="101")
    sent = await websocket(app, "/ws/p1")
    assert sent[0]["type"] == "websocket.accept"
    assert sample(COUNT, operation="/ws/{project}", method="GET", status="101") == before + 1


async def test_a_refused_websocket_counts_as_403(app: ASGIApp) -> None:
    before = sample(COUNT, operation="/ws/{project}", method="GET", status="403")
    sent = await websocket(app, "/ws/closed")
    assert sent[0]["type"] == "websocket.close"
    assert sample(COUNT, operation="/ws/{project}", method="GET", status="403") == before + 1


async def test_lifespan_and_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    await RequestMetricsMiddleware(inner)({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]
