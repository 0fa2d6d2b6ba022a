"""Faults under load (issue 12, "The two suites"): each scenario publishes while it breaks
something, resumes its raw subscribers during and right after the outage, and checks zero
acknowledged events lost, zero duplicates, stream order per subscriber, no undocumented 5xx.
Figures: tests/chaos/RESULTS.md."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tidings_server.testing.faultproxy import FaultProxy
from tidings_server.testing.waiting import aeventually

from .conftest import (
    BATCH,
    CACHE_TTL_SECONDS,
    EVENTS,
    Project,
    Publisher,
    SseSubscriber,
    Stack,
    Subscriber,
    WsSubscriber,
    blocking,
    kill,
    new_project,
    settle_and_check,
)

pytestmark = pytest.mark.timeout(240)

Fault = Callable[[Stack, list[Subscriber]], Awaitable[float | None]]


async def _ready(stack: Stack) -> None:
    async def ready() -> bool | str:
        # New connections land on either worker (SO_REUSEPORT): several in a row are all ready.
        for _ in range(6):
            async with httpx.AsyncClient(base_url=stack.server.url, timeout=5) as http:
                response = await http.get("/readyz")
                if response.status_code != 200:
                    return response.text
        return True

    await aeventually(ready, True, timeout=90, interval=0.1, message="the stack is ready again")


async def _not_ready(stack: Stack) -> None:
    async def down() -> bool:
        async with httpx.AsyncClient(base_url=stack.server.url, timeout=5) as http:
            return (await http.get("/readyz")).status_code == 503

    await aeventually(down, timeout=30, interval=0.05, message="the outage is seen")


async def _start(stack: Stack) -> tuple[str, Project]:
    """A new project and the cursor of a first event (the subscribers resume after it)."""
    await _ready(stack)
    async with httpx.AsyncClient(base_url=stack.server.url, timeout=30) as http:
        project = await new_project(http)
        items = await Publisher(stack.server.url, project).batch(http, 0, 1, key="start")
    return str(items[0]["cursor"]), project


async def _scenario(stack: Stack, name: str, fault: Fault | None, *, drop_every: int | None = None) -> None:
    first, project = await _start(stack)
    publisher = Publisher(stack.server.url, project)
    subscribers: list[Subscriber] = [
        WsSubscriber(stack.server.ws_url, project, drop_every=drop_every),
        SseSubscriber(stack.server.url, project, drop_every=drop_every),
    ]
    for sub in subscribers:
        sub.start(first)
    progress = asyncio.Event()
    publishing = asyncio.ensure_future(publisher.run(EVENTS, progress=progress))
    ended: float | None = None
    try:
        await progress.wait()  # a third is published: break something mid-stream
        if fault is not None:
            ended = await fault(stack, subscribers)
            for sub in subscribers:
                sub.drop()  # resume right after the outage
        await publishing
        if ended is not None:
            # One more batch after the fault, whenever publishing ended: the recovery probe.
            async with httpx.AsyncClient(base_url=stack.server.url, timeout=30) as http:
                await publisher.batch(http, EVENTS, BATCH)
        await settle_and_check(name, stack.server.url, project, publisher, subscribers, ended)
    finally:
        publishing.cancel()
        for sub in subscribers:
            await sub.stop()


async def _kill_workers_twice(stack: Stack, subs: list[Subscriber]) -> float:
    for _ in range(2):
        before = stack.workers()
        kill(before[0])
        await aeventually(
            lambda before=before: len(set(stack.workers()) - set(before)) == 1,
            timeout=60,
            message="the worker is restarted",
        )
        await _ready(stack)
    return time.monotonic()


async def _restart_nats(stack: Stack, subs: list[Subscriber], *, hard: bool) -> float:
    if hard:
        proc = stack.nats.process.proc
        assert proc is not None
        proc.kill()
        await blocking(proc.wait)
    else:
        await blocking(stack.nats.stop)
    await _not_ready(stack)
    for sub in subs:
        sub.drop()  # resume during the outage
    await blocking(stack.nats.start)
    back = time.monotonic()
    await _ready(stack)
    return back


async def _restart_postgres(stack: Stack, subs: list[Subscriber], *, outlast_caches: bool) -> float:
    await blocking(stack.postgres.stop)
    await _not_ready(stack)
    for sub in subs:
        sub.drop()  # resume during the outage
    if outlast_caches:
        # The fault's duration (not synchronization): longer than every cache's TTL.
        await asyncio.sleep(CACHE_TTL_SECONDS * 2)
    await blocking(stack.postgres.start)
    back = time.monotonic()
    await _ready(stack)
    return back


async def test_worker_kill_9_twice(stack: Stack) -> None:
    await _scenario(stack, "worker kill -9 (twice)", _kill_workers_twice)


async def test_nats_sigterm_and_restart(stack: Stack) -> None:
    await _scenario(
        stack, "nats-server SIGTERM + restart", lambda s, subs: _restart_nats(s, subs, hard=False)
    )


async def test_nats_kill_9_and_restart(stack: Stack) -> None:
    await _scenario(stack, "nats-server kill -9 + restart", lambda s, subs: _restart_nats(s, subs, hard=True))


async def test_postgres_restart_short(stack: Stack) -> None:
    await _scenario(
        stack, "PostgreSQL restart (short)", lambda s, subs: _restart_postgres(s, subs, outlast_caches=False)
    )


async def test_postgres_restart_longer_than_every_cache(stack: Stack) -> None:
    await _scenario(
        stack,
        "PostgreSQL restart (longer than every cache)",
        lambda s, subs: _restart_postgres(s, subs, outlast_caches=True),
    )


async def test_clients_drop_every_150_events(stack: Stack) -> None:
    await _scenario(stack, "clients drop every ~150 events", None, drop_every=150)


async def test_a_publish_whose_response_is_lost_is_retried_as_a_duplicate(stack: Stack) -> None:
    """The connection is cut after the request reached the server (fault proxy): the retry with
    the same Idempotency-Key comes back `duplicate: true` with the original cursors."""
    async with httpx.AsyncClient(base_url=stack.server.url, timeout=30) as http:
        project: Project = await new_project(http)
    publisher = Publisher(stack.server.url, project)
    host, port = "127.0.0.1", stack.server.port
    async with FaultProxy((host, port)) as proxy:
        proxy.lose_responses(1)
        async with httpx.AsyncClient(base_url=proxy.url("http"), timeout=30) as through:
            body = Publisher.body(0, 10)
            headers = {**project.headers, "Idempotency-Key": "lost-response"}
            with pytest.raises(httpx.TransportError):
                await through.post(f"/v1/projects/{project.id}/events/batch", json=body, headers=headers)
        assert proxy.connections_accepted == 1
    async with httpx.AsyncClient(base_url=stack.server.url, timeout=30) as http:
        items = await publisher.batch(http, 0, 10, key="lost-response")
    assert all(item["duplicate"] for item in items), items
    async with httpx.AsyncClient(base_url=stack.server.url, timeout=30) as http:
        replay = await http.get(f"/v1/projects/{project.id}/events", headers=project.headers)
    assert [e["cursor"] for e in replay.json()["items"]] == [item["cursor"] for item in items]  # stored once
    # And under load: every batch's response is lost once, every retry is a duplicate.
    await _lossy_publishing(stack)


async def _lossy_publishing(stack: Stack) -> None:
    first, project = await _start(stack)
    subscribers: list[Subscriber] = [
        WsSubscriber(stack.server.ws_url, project),
        SseSubscriber(stack.server.url, project),
    ]
    for sub in subscribers:
        sub.start(first)
    publisher = Publisher(stack.server.url, project)
    try:
        async with FaultProxy(("127.0.0.1", stack.server.port)) as proxy:
            publisher.base_url = proxy.url("http")
            total = min(EVENTS, 1000)  # every batch pays a lost response and a retry
            for n, begin in enumerate(range(0, total, 50)):
                proxy.lose_responses(1)
                async with httpx.AsyncClient(base_url=publisher.base_url, timeout=30) as http:
                    await publisher.batch(http, begin, 50)
                assert publisher.retries == n + 1
        assert publisher.duplicates == total
        await settle_and_check(
            "publisher's response lost (retry is duplicate)",
            stack.server.url,
            project,
            publisher,
            subscribers,
            None,
            notes=f"{publisher.duplicates} retries answered duplicate",
        )
    finally:
        for sub in subscribers:
            await sub.stop()
