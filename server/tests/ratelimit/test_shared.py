"""`SharedRateLimiter` against a real nats-server: one budget across connections, leases never
exceeding it, the stored state, and the fallback while NATS is down."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NATS

from tidings_server.embedded import EmbeddedNats
from tidings_server.ratelimit import SharedRateLimiter, api_key_scope, kv_key
from tidings_server.testing.waiting import aeventually

# Slow enough that no cell refills while a test runs (one cell per 100 s).
NO_REFILL = 0.01


async def _connect(
    url: str, disconnected: asyncio.Event | None = None, reconnected: asyncio.Event | None = None
) -> NATS:
    async def on_disconnect() -> None:
        if disconnected is not None:
            disconnected.set()

    async def on_reconnect() -> None:
        if reconnected is not None:
            reconnected.set()

    return await nats.connect(
        servers=[url],
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.1,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
    )


@pytest.fixture
async def connect(nats_server: EmbeddedNats) -> AsyncIterator[Callable[[], Awaitable[NATS]]]:
    opened: list[NATS] = []

    async def open_one() -> NATS:
        nc = await _connect(nats_server.url)
        opened.append(nc)
        return nc

    yield open_one
    for nc in opened:
        await nc.close()


def _key() -> str:
    return api_key_scope(uuid.uuid4().hex[:12])


async def test_burst_then_refused_strict(connect: Callable[[], Awaitable[NATS]]) -> None:
    limiter = SharedRateLimiter(await connect(), lease_seconds=0)
    key = _key()
    decisions = [await limiter.hit(key, rate=NO_REFILL, burst=5) for _ in range(7)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert decisions[-1].retry_after == pytest.approx(100, rel=0.01)
    assert decisions[-1].headers()["Retry-After"] == "100"
    await limiter.close()


async def test_two_connections_share_one_budget_exactly(connect: Callable[[], Awaitable[NATS]]) -> None:
    """Strict mode (no leases): two independent limiters racing on one key admit exactly burst."""
    a = SharedRateLimiter(await connect(), lease_seconds=0)
    b = SharedRateLimiter(await connect(), lease_seconds=0)
    key = _key()
    results = await asyncio.gather(
        *(limiter.hit(key, rate=NO_REFILL, burst=30) for _ in range(40) for limiter in (a, b))
    )
    assert sum(d.allowed for d in results) == 30
    assert a.stats.fallbacks == b.stats.fallbacks == 0
    await a.close()
    await b.close()


async def test_leases_never_exceed_the_shared_budget(connect: Callable[[], Awaitable[NATS]]) -> None:
    """With leases, cells one process holds are taken from the others: without refill the total
    admitted is exactly the burst, however the hits are spread."""
    # lease_seconds is large so that the tiny rate still gives a lease (of burst * 0.1 cells).
    a = SharedRateLimiter(await connect(), lease_seconds=10_000)
    b = SharedRateLimiter(await connect(), lease_seconds=10_000)
    key = _key()
    assert a.lease_size(NO_REFILL, 100) == 10
    first = await a.hit(key, rate=NO_REFILL, burst=100)
    assert first.allowed
    from_b = [await b.hit(key, rate=NO_REFILL, burst=100) for _ in range(150)]
    await aeventually(lambda: a.refills_in_flight == b.refills_in_flight == 0, message="refills landed")
    from_a = [await a.hit(key, rate=NO_REFILL, burst=100) for _ in range(150)]
    total = 1 + sum(d.allowed for d in from_b) + sum(d.allowed for d in from_a)
    assert total == 100
    assert a.stats.leased > 0
    assert b.stats.leased > 0
    # Refusals after the bucket ran dry come from the cached view, not from round trips.
    assert b.stats.cached_refusals > 0
    await a.close()
    await b.close()


async def test_concurrent_hits_in_one_process_wait_for_one_reservation(
    connect: Callable[[], Awaitable[NATS]],
) -> None:
    limiter = SharedRateLimiter(await connect(), lease_seconds=10_000)
    key = _key()
    results = await asyncio.gather(*(limiter.hit(key, rate=NO_REFILL, burst=50) for _ in range(80)))
    assert sum(d.allowed for d in results) == 50
    # 50 cells with leases of 5: far fewer round trips than hits.
    assert limiter.stats.store_hits + limiter.stats.refills < 25
    await limiter.close()


async def test_cost_spends_several_cells(connect: Callable[[], Awaitable[NATS]]) -> None:
    limiter = SharedRateLimiter(await connect(), lease_seconds=0)
    key = _key()
    assert (await limiter.hit(key, rate=NO_REFILL, burst=10, cost=7)).allowed
    refused = await limiter.hit(key, rate=NO_REFILL, burst=10, cost=4)
    assert not refused.allowed
    assert refused.remaining == 3
    assert (await limiter.hit(key, rate=NO_REFILL, burst=10, cost=3)).allowed
    await limiter.close()


async def test_state_is_a_tat_under_a_valid_kv_key(connect: Callable[[], Awaitable[NATS]]) -> None:
    nc = await connect()
    limiter = SharedRateLimiter(nc, lease_seconds=0)
    key = f"tenant:{uuid.uuid4()}"
    before = time.time_ns()
    await limiter.hit(key, rate=1, burst=10, cost=2)
    kv = await nc.jetstream().key_value("tidings_ratelimit")
    entry = await kv.get(kv_key(key))
    assert entry.value is not None
    tat = int(entry.value)
    # A fresh key spent 2 cells at 1 per second: the TAT is now + 2 s.
    assert before + 2 * 10**9 <= tat <= time.time_ns() + 2 * 10**9
    await limiter.close()


async def test_fails_open_to_local_limits_while_nats_is_down(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    disconnected, reconnected = asyncio.Event(), asyncio.Event()
    nc = await _connect(server.url, disconnected, reconnected)
    limiter = SharedRateLimiter(nc, lease_seconds=0, outage_retry=0.1, store_timeout=0.5)
    key = _key()
    try:
        assert (await limiter.hit(key, rate=NO_REFILL, burst=3)).allowed
        assert limiter.stats.store_hits == 1
        server.stop()
        # The client notices the closed socket; hits must not wait for NATS meanwhile.
        async with asyncio.timeout(5):
            await disconnected.wait()
        assert limiter.degraded
        # Local-only limits: this process alone enforces the same limit (its own fresh bucket).
        outage = [await limiter.hit(key, rate=NO_REFILL, burst=3) for _ in range(5)]
        assert [d.allowed for d in outage] == [True, True, True, False, False]
        assert limiter.stats.fallbacks == 5
        # NATS comes back (empty: the KV is memory-stored): the shared state is used again.
        server.start()
        async with asyncio.timeout(10):
            await reconnected.wait()
        # outage_retry: the limiter tries the store again once it has passed.
        await aeventually(lambda: not limiter.degraded, message="limiter using the store again")
        back = [await limiter.hit(key, rate=NO_REFILL, burst=3) for _ in range(4)]
        assert [d.allowed for d in back] == [True, True, True, False]
        assert limiter.stats.store_hits > 1
        assert limiter.stats.fallbacks == 5
    finally:
        await limiter.close()
        await nc.close()
        server.stop()


async def test_a_stuck_store_times_out_into_the_fallback(tmp_path: Path) -> None:
    """Connected to a nats-server without JetStream: no KV answers, the hit still gets an answer
    from the local limiter, after at most one store timeout."""
    server = EmbeddedNats(tmp_path / "nats")
    # Same binary, JetStream left out: drop the flag from the argument list.
    server.process.argv = [a for a in server.process.argv if a != "--jetstream"]
    server.start()
    nc = await _connect(server.url)
    limiter = SharedRateLimiter(nc, lease_seconds=0, store_timeout=0.3)
    try:
        decision = await limiter.hit(_key(), rate=NO_REFILL, burst=1)
        assert decision.allowed
        assert limiter.degraded
        assert limiter.stats.outages == 1
        assert limiter.stats.fallbacks == 1
    finally:
        await limiter.close()
        await nc.close()
        server.stop()
