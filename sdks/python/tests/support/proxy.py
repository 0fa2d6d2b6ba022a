"""A TCP relay between the SDK and a server that injects the faults networks have.

- `cut_next(n)`: the next `n` connections are cut once the server starts answering — the
  request was received and handled, the answer is lost (what a crashed load balancer or a reset
  looks like from the client).
- `blackhole()`: the open connections stop carrying bytes either way, without FIN or RST (a dead
  NAT entry, a pulled cable); new connections work.
- `retarget(port)`: new connections go to another upstream (the server restarted elsewhere);
  while the upstream refuses, the relay closes the client's connection at once.
- `cut_all()`: close every open connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

__all__ = ["TcpProxy"]

_CHUNK = 65536


@dataclass(eq=False)
class _Relay:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    cut_on_answer: bool = False
    blackholed: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def close(self) -> None:
        for writer in (self.client, self.upstream):
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.transport.abort()


class TcpProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream_port = upstream_port
        self.port = 0
        self.accepted = 0
        self.cuts = 0
        self._cut_pending = 0
        self._relays: set[_Relay] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}"

    def cut_next(self, n: int = 1) -> None:
        self._cut_pending += n

    def blackhole(self) -> None:
        for relay in self._relays:
            relay.blackholed = True

    def retarget(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port

    def cut_all(self) -> None:
        for relay in list(self._relays):
            relay.close()

    @property
    def open_connections(self) -> int:
        return len(self._relays)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.cut_all()
        for relay in list(self._relays):
            for task in relay.tasks:
                task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        relay = _Relay(writer)
        if self._cut_pending > 0:
            self._cut_pending -= 1
            relay.cut_on_answer = True
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.upstream_port)
        except OSError:
            relay.close()
            return
        relay.upstream = up_writer
        self._relays.add(relay)
        relay.tasks = [
            asyncio.create_task(self._pump(relay, reader, up_writer, answer=False)),
            asyncio.create_task(self._pump(relay, up_reader, writer, answer=True)),
        ]
        try:
            await asyncio.gather(*relay.tasks, return_exceptions=True)
        finally:
            self._relays.discard(relay)
            relay.close()

    async def _pump(
        self, relay: _Relay, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, answer: bool
    ) -> None:
        try:
            while True:
                data = await source.read(_CHUNK)
                if not data:
                    break
                if answer and relay.cut_on_answer:
                    self.cuts += 1
                    break
                if relay.blackholed:
                    continue
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not relay.blackholed:
                relay.close()
