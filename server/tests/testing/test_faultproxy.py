"""The fault proxy does what its modes say, on a plain TCP echo server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tidings_server.testing.faultproxy import FaultProxy
from tidings_server.testing.waiting import aeventually

_echoes: set[asyncio.Task[object]] = set()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    task = asyncio.current_task()
    assert task is not None
    _echoes.add(task)  # type: ignore[arg-type]
    task.add_done_callback(_echoes.discard)  # type: ignore[arg-type]
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[FaultProxy]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with FaultProxy(("127.0.0.1", port)) as running:
        yield running
    server.close()
    if _echoes:
        await asyncio.wait(_echoes, timeout=5)
    await server.wait_closed()


async def _roundtrip(proxy: FaultProxy, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(*proxy.address)
    writer.write(data)
    try:
        return await asyncio.wait_for(reader.readexactly(len(data)), 10)
    finally:
        writer.close()


async def test_passes_bytes_through(proxy: FaultProxy) -> None:
    assert await _roundtrip(proxy, b"hello") == b"hello"


async def test_cut_aborts_open_connections_and_refuses_new_ones(proxy: FaultProxy) -> None:
    reader, writer = await asyncio.open_connection(*proxy.address)
    writer.write(b"x")
    assert await reader.readexactly(1) == b"x"
    proxy.cut()
    assert await reader.read(10) == b""  # the open connection ended
    writer.close()
    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
        await _roundtrip(proxy, b"again")
    proxy.pass_through()
    assert await _roundtrip(proxy, b"back") == b"back"


async def test_stall_holds_bytes_until_passed_through(proxy: FaultProxy) -> None:
    reader, writer = await asyncio.open_connection(*proxy.address)
    proxy.stall()
    writer.write(b"held")
    read = asyncio.ensure_future(reader.readexactly(4))
    await aeventually(lambda: proxy.open_connections == 1)
    assert not read.done()
    proxy.pass_through()
    assert await asyncio.wait_for(read, 10) == b"held"
    writer.close()


async def test_slow_trickles(proxy: FaultProxy) -> None:
    proxy.slow(200)
    reader, writer = await asyncio.open_connection(*proxy.address)
    writer.write(b"a" * 100)
    first = await reader.read(100)
    assert 0 < len(first) < 100  # arrives in pieces
    rest = await asyncio.wait_for(reader.readexactly(100 - len(first)), 10)
    assert first + rest == b"a" * 100
    writer.close()


async def test_lose_responses_delivers_the_request_and_drops_the_answer(proxy: FaultProxy) -> None:
    proxy.lose_responses(1)
    reader, writer = await asyncio.open_connection(*proxy.address)
    writer.write(b"ping")
    assert await reader.read(10) == b""
    writer.close()
    assert await _roundtrip(proxy, b"next") == b"next"  # only one answer is lost


def test_runs_in_its_own_thread_for_sync_tests() -> None:
    async def main(proxy: FaultProxy) -> bytes:
        return await _roundtrip(proxy, b"threaded")

    async def with_echo() -> bytes:
        server = await asyncio.start_server(_echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            with FaultProxy(("127.0.0.1", port)).running() as proxy:
                proxy.stall()
                proxy.pass_through()
                return await main(proxy)
        finally:
            server.close()

    assert asyncio.run(with_echo()) == b"threaded"
