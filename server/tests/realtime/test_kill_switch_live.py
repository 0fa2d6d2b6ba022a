"""The kill switch against live clients: an operator suspends a tenant through the REST API of
one server process; its WebSocket and SSE clients on two other processes are closed with
`tenant_suspended` within a second, other tenants' clients stay, and after the resume the
tenant connects again (issue 6, the gateway's side of property 22)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tidings_server.config import Settings
from tidings_server.store.db import Database
from tidings_server.store.seed import ensure_operator
from tidings_server.testing.processes import ServerProcess, server_process
from tidings_server.testing.realtime import Client, FrameValidator, Project, new_project

OPERATOR = "kill-switch-operator@example.com"
PASSWORD = "operator-password-long-enough"


@pytest.fixture(scope="module")
def pair(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    logs = tmp_path_factory.mktemp("kill")
    with server_process(settings, log=logs / "a.log") as a, server_process(settings, log=logs / "b.log") as b:
        yield a, b


async def _operator_headers(settings: Settings, http: httpx.AsyncClient) -> dict[str, str]:
    assert settings.database_url is not None
    db = Database.connect(settings.database_url.get_secret_value(), pool_size=1)
    try:
        await ensure_operator(db, OPERATOR, PASSWORD)
    finally:
        await db.close()
    login = await http.post("/v1/auth/login", json={"email": OPERATOR, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"authorization": f"Bearer {login.json()['access_token']}"}


async def _ws(server: ServerProcess, project: Project, frames: FrameValidator) -> Client:
    ws = await websockets.connect(
        f"{server.ws_url}/v1/projects/{project.id}/ws", additional_headers=project.headers
    )
    client = Client(ws, frames)
    client.welcome = await client.expect("welcome")
    await client.subscribe("k.>")
    return client


async def test_suspending_a_tenant_closes_its_websocket_and_sse_clients_on_every_process_within_a_second(
    pair: tuple[ServerProcess, ServerProcess], settings: Settings, frames: FrameValidator
) -> None:
    a, b = pair
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as http_a,
        httpx.AsyncClient(base_url=b.url, timeout=30) as http_b,
    ):
        victim = await new_project(a, http_a)  # type: ignore[arg-type]
        bystander = await new_project(a, http_a)  # type: ignore[arg-type]
        operator = await _operator_headers(settings, http_a)
        ws_clients = [await _ws(a, victim, frames), await _ws(b, victim, frames)]
        other = await _ws(b, bystander, frames)
        async with (
            http_a.stream(
                "GET", f"/v1/projects/{victim.id}/stream?topic=k.>", headers=victim.headers
            ) as sse_a,
            http_b.stream(
                "GET", f"/v1/projects/{victim.id}/stream?topic=k.>", headers=victim.headers
            ) as sse_b,
        ):

            async def sse_error(response: httpx.Response) -> float:
                async for line in response.aiter_lines():
                    if line == "event: error":
                        return time.monotonic()
                raise AssertionError("the stream ended without an error record")

            sse_waits = [asyncio.create_task(sse_error(r)) for r in (sse_a, sse_b)]
            started = time.monotonic()
            response = await http_b.post(f"/v1/tenants/{victim.tenant_id}/suspend", json={}, headers=operator)
            assert response.status_code == 200, response.text
            for client in ws_clients:
                code, error = await client.closed(timeout=2.0)
                assert code == 4423
                assert error is not None
                assert error["code"] == "tenant_suspended"
            closed_at = await asyncio.gather(*sse_waits)
            assert max(closed_at) - started < 1.0 + 0.5  # within a second of the command (+ the REST call)
        # Other tenants are served; the victim cannot publish or connect.
        await other.send({"type": "ping"})
        await other.expect("pong")
        refused = await http_a.post(
            f"/v1/projects/{victim.id}/events", json={"topic": "k.x", "data": 1}, headers=victim.headers
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "tenant_suspended"
        ws = await websockets.connect(
            f"{a.ws_url}/v1/projects/{victim.id}/ws", additional_headers=victim.headers
        )
        assert (await Client(ws, frames).closed())[0] == 4423
        # Resumed: connects and receives again.
        response = await http_a.post(f"/v1/tenants/{victim.tenant_id}/resume", json={}, headers=operator)
        assert response.status_code == 200, response.text
        client = await _ws(b, victim, frames)
        sent = await victim.publish("k.x", "back")
        assert [e["cursor"] for e in await client.events(1)] == [sent["cursor"]]
        await client.ws.close()
        await other.ws.close()
