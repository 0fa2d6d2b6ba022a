"""Malformed project ids on the realtime transports: WebSocket closes 4404 (after an `error`
frame a browser can read), SSE answers 404 problem+json."""

from __future__ import annotations

import httpx
import orjson
import pytest
import websockets

from tidings_server.testing.attack import MALFORMED_IDS, assert_problem
from tidings_server.testing.live import LiveServer


@pytest.mark.parametrize("project", MALFORMED_IDS)
async def test_websocket_with_a_malformed_project_id_closes_4404(server: LiveServer, project: str) -> None:
    async with websockets.connect(f"{server.ws_url}/v1/projects/{project}/ws") as ws:
        frame = orjson.loads(await ws.recv())
        await ws.wait_closed()
    assert frame["type"] == "error"
    assert frame["code"] == "not_found"
    assert frame["close_code"] == 4404
    assert ws.close_code == 4404


@pytest.mark.parametrize("project", MALFORMED_IDS)
async def test_sse_with_a_malformed_project_id_is_404(http: httpx.AsyncClient, project: str) -> None:
    response = await http.get(f"/v1/projects/{project}/stream", params={"topic": ">"})
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%00", "%1B"])
async def test_realtime_paths_with_control_characters(
    server: LiveServer, http: httpx.AsyncClient, suffix: str
) -> None:
    project = "3fa85f64-5717-4562-b3fc-2c963f66afa6" + suffix
    assert_problem(await http.get(f"/v1/projects/{project}/stream", params={"topic": ">"}), 404, "not_found")
    async with websockets.connect(f"{server.ws_url}/v1/projects/{project}/ws") as ws:
        await ws.recv()
        await ws.wait_closed()
    assert ws.close_code == 4404
