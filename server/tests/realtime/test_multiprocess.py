"""Several server processes on one NATS and PostgreSQL: a publish reaches WebSocket and SSE
subscribers on other processes, in order; a process killed mid-stream loses its clients, who
resume on another process by cursor with nothing lost and nothing duplicated; `--workers`
shares the ports between processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tidings_server.config import Settings
from tidings_server.testing.processes import ServerProcess, server_process
from tidings_server.testing.realtime import Client, FrameValidator, Project, new_project


@pytest.fixture(scope="module")
def pair(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    logs = tmp_path_factory.mktemp("servers")
    with server_process(settings, log=logs / "a.log") as a, server_process(settings, log=logs / "b.log") as b:
        yield a, b


async def _project(server: ServerProcess, http: httpx.AsyncClient) -> Project:
    return await new_project(server, http)  # type: ignore[arg-type]  # same url/ws_url shape


async def _ws(server: ServerProcess, project: Project, frames: FrameValidator) -> Client:
    ws = await websockets.connect(
        f"{server.ws_url}/v1/projects/{project.id}/ws", additional_headers=project.headers, max_size=None
    )
    client = Client(ws, frames)
    client.welcome = await client.expect("welcome")
    return client


async def test_rest_publish_reaches_websocket_and_sse_subscribers_on_other_processes_in_order(
    pair: tuple[ServerProcess, ServerProcess], frames: FrameValidator
) -> None:
    a, b = pair
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as http,
        httpx.AsyncClient(base_url=b.url, timeout=30) as http_b,
    ):
        project = await _project(a, http)
        ws = await _ws(a, project, frames)
        await ws.subscribe("e2e.>")
        async with http_b.stream(
            "GET", f"/v1/projects/{project.id}/stream", params={"topic": "e2e.>"}, headers=project.headers
        ) as sse:
            lines = sse.aiter_lines()
            while (await anext(lines)) != "":  # the retry hint record
                pass
            sent = []
            for i in range(10):
                sent.append(await project.publish(f"e2e.{i % 3}", {"i": i}))
            sent += await project.publish_batch(
                [{"topic": "e2e.b", "data": {"i": 10 + i}} for i in range(20)]
            )
            via_ws = await ws.events(30)
            via_sse: list[dict[str, Any]] = []
            while len(via_sse) < 30:
                line = await asyncio.wait_for(anext(lines), 10)
                if line.startswith("data: "):
                    frame = orjson.loads(line[6:])
                    frames.check(frame)
                    via_sse.append(frame)
        await ws.ws.close()
    expected = [s["cursor"] for s in sent]
    assert [e["cursor"] for e in via_ws] == expected
    assert [e["cursor"] for e in via_sse] == expected
    assert [e["data"]["i"] for e in via_ws] == list(range(30))


async def test_killing_a_process_mid_stream_loses_nothing_when_clients_resume_elsewhere(
    settings: Settings, frames: FrameValidator, tmp_path: Path
) -> None:
    with (
        server_process(settings, log=tmp_path / "victim.log") as victim,
        server_process(settings, log=tmp_path / "survivor.log") as survivor,
    ):
        async with httpx.AsyncClient(base_url=survivor.url, timeout=30) as http:
            project = await _project(survivor, http)
            client = await _ws(victim, project, frames)
            await client.subscribe("k.>")
            total = 300
            published: list[str] = []

            async def publish() -> None:
                for i in range(0, total, 20):
                    items = await project.publish_batch([{"topic": "k.x", "data": i + j} for j in range(20)])
                    published.extend(item["cursor"] for item in items)
                    await asyncio.sleep(0.1)

            publisher = asyncio.create_task(publish())
            received: list[str] = []
            while len(received) < 60:
                received += [e["cursor"] for e in await client.events(1)]
            await asyncio.get_running_loop().run_in_executor(None, victim.kill)
            try:
                while True:  # what was already on the wire before the kill
                    frame = await client.recv(5)
                    received += [
                        e["cursor"] for e in (frame["events"] if frame["type"] == "events" else [frame])
                    ]
            except ConnectionClosed:
                pass
            # Reconnect to the survivor and resume from the last cursor seen.
            resumed = await _ws(survivor, project, frames)
            await resumed.subscribe("k.>", cursor=received[-1])
            await publisher
            while len(received) < total:
                received += [e["cursor"] for e in await resumed.events(1)]
            await asyncio.sleep(0.3)
            with pytest.raises(TimeoutError):
                await resumed.recv(0.5)
            await resumed.ws.close()
            client.ws.transport.abort()
    assert len(published) == total
    assert received == published  # zero lost, zero duplicated, in order


async def test_workers_share_the_ports_and_every_worker_delivers(
    settings: Settings, frames: FrameValidator, tmp_path: Path
) -> None:
    with server_process(settings, workers=2, log=tmp_path / "workers.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            project = await _project(server, http)
            clients = [await _ws(server, project, frames) for _ in range(16)]
            workers = {c.welcome["connection_id"].split("-")[0] for c in clients}
            assert len(workers) == 2, "SO_REUSEPORT spreads 16 connections over both workers"
            for client in clients:
                await client.subscribe("w.>")
            sent = await project.publish("w.x", "to all")
            for client in clients:
                assert [e["cursor"] for e in await client.events(1)] == [sent["cursor"]]
                await client.ws.close()
