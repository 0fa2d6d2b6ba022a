"""Publishing with retries and replaying by cursor, against the live server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Project

import tidings
from support.live import FAST_RETRY, publish_many
from support.proxy import TcpProxy


@pytest.fixture
async def proxy(live: LiveServer) -> AsyncIterator[TcpProxy]:
    relay = await TcpProxy(live.port).start()
    yield relay
    await relay.close()


async def test_a_publish_whose_answer_is_lost_is_retried_without_a_duplicate(
    proxy: TcpProxy, project: Project, client: tidings.Client
) -> None:
    async with tidings.Client(proxy.url(), api_key=project.key, retry=FAST_RETRY) as through_proxy:
        proxy.cut_next(1)
        published = await through_proxy.publish_event(
            project.id, {"topic": "orders.created", "data": {"order": 42}}
        )
    assert proxy.cuts == 1, "the first answer was cut after the server handled the request"
    assert published["duplicate"] is True, "the retry was answered with the event the first attempt stored"
    stored = [event async for event in client.replay(project.id)]
    assert [(e["id"], e["data"]) for e in stored] == [(published["id"], {"order": 42})]


async def test_a_batch_whose_answer_is_lost_is_stored_once(
    proxy: TcpProxy, project: Project, client: tidings.Client
) -> None:
    async with tidings.Client(proxy.url(), api_key=project.key, retry=FAST_RETRY) as through_proxy:
        proxy.cut_next(1)
        batch = await through_proxy.publish_events(
            project.id, {"events": [{"topic": "orders.created", "data": n} for n in range(5)]}
        )
    assert proxy.cuts == 1
    assert all(item["duplicate"] for item in batch["items"])
    stored = [event async for event in client.replay(project.id)]
    assert [e["data"] for e in stored] == [0, 1, 2, 3, 4]


async def test_replay_walks_every_page_in_order_and_stops(client: tidings.Client, project: Project) -> None:
    orders = await publish_many(client, project.id, "orders.created", 12)
    await publish_many(client, project.id, "invoices.created", 3, start=100)
    everything = [e async for e in client.replay(project.id, page_size=5)]
    assert len(everything) == 15
    only_orders = [e async for e in client.replay(project.id, topic="orders.*", page_size=5)]
    assert [e["cursor"] for e in only_orders] == [p["cursor"] for p in orders]
    resumed = [e async for e in client.replay(project.id, after=orders[6]["cursor"], topic="orders.*")]
    assert [e["data"] for e in resumed] == [{"n": n} for n in range(7, 12)]
    # The generated pager is routed through `replay`: it ends too.
    assert len([e async for e in client.iter_events(project.id, limit=4)]) == 15


async def test_replay_from_the_last_cursor_is_empty(client: tidings.Client, project: Project) -> None:
    published = await publish_many(client, project.id, "orders.created", 2)
    assert [e async for e in client.replay(project.id, after=published[-1]["cursor"])] == []


async def test_an_altered_cursor_is_a_typed_error(client: tidings.Client, project: Project) -> None:
    published = await publish_many(client, project.id, "orders.created", 1)
    cursor = published[0]["cursor"]
    altered = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    with pytest.raises(tidings.BadRequestError) as refused:
        _ = [e async for e in client.replay(project.id, after=altered)]
    assert refused.value.code == "invalid_cursor"
