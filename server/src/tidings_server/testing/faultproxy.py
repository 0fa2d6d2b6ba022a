"""A TCP fault proxy for tests: put it between a client and NATS, PostgreSQL or a Tidings
server and break the network on purpose.

    proxy = FaultProxy(("127.0.0.1", nats_port))
    await proxy.start()            # or: with FaultProxy(...).running() as proxy: (own thread)
    connect to proxy.port ...
    proxy.cut()                    # abort every connection, refuse new ones
    proxy.stall()                  # keep connections, forward nothing (both directions)
    proxy.slow(2048)               # trickle: at most this many bytes per second per direction
    proxy.lose_responses(1)        # the next connection that gets an answer: request delivered,
                                   #   answer dropped, connection aborted
    proxy.pass_through()           # back to normal (stalled bytes flow on)
    await proxy.close()

Modes apply to open connections at once and to new ones. Every mode method is thread-safe: a
proxy started with `running()` lives on its own event loop in a background thread and can be
driven from synchronous tests or from another loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import threading
from collections.abc import Iterator

__all__ = ["FaultProxy", "Mode"]

_CHUNK = 64 * 1024
# A trickle writes this often (seconds), each time its share of the per-second budget.
_TRICKLE_TICK = 0.05


class Mode(enum.Enum):
    PASS = "pass"  # noqa: S105 - a mode, not a password
    CUT = "cut"
    STALL = "stall"
    SLOW = "slow"


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.host = host
        self.port = port
        """The listening port (the real one once started, when 0 was asked for)."""
        self.mode = Mode.PASS
        self.bytes_per_second = 0
        self.connections_accepted = 0
        self._lose = 0
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open: set[_Link] = set()
        self._flowing: asyncio.Event | None = None
        self._handlers: set[asyncio.Task[object]] = set()

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FaultProxy:
        self._loop = asyncio.get_running_loop()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._abort_all()
            if self._flowing is not None:
                self._flowing.set()  # a stalled pump sees the abort and ends
            # Handlers end by themselves once their sockets are aborted (cancelling a stream
            # handler makes asyncio log it on Python 3.11).
            await asyncio.wait(self._handlers, timeout=5) if self._handlers else None
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[FaultProxy]:
        """Run the proxy on its own event loop in a daemon thread (for synchronous tests)."""
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name=f"faultproxy-{self.upstream[1]}", daemon=True)
        thread.start()
        if not started.wait(10):
            raise RuntimeError("the fault proxy did not start")
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def url(self, scheme: str) -> str:
        """`scheme://host:port` of the proxy (e.g. `nats`, `http`)."""
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def open_connections(self) -> int:
        return len(self._open)

    # --- modes (thread-safe) -------------------------------------------------------------------

    def pass_through(self) -> None:
        """Forward everything as it comes (and whatever a stall held back)."""
        self._set(Mode.PASS)

    def cut(self) -> None:
        """Abort every open connection (both sides see a reset) and refuse new ones until
        another mode is set."""
        self._set(Mode.CUT)

    def stall(self) -> None:
        """Keep every connection open and forward nothing, in either direction."""
        self._set(Mode.STALL)

    def slow(self, bytes_per_second: int) -> None:
        """Forward at most `bytes_per_second` per direction and connection."""
        self._set(Mode.SLOW, bytes_per_second=max(1, bytes_per_second))

    def lose_responses(self, count: int = 1) -> None:
        """The next `count` times the upstream answers on some connection, drop the answer and
        abort that connection: the request was delivered, the client never hears back."""
        self._call(lambda: setattr(self, "_lose", self._lose + count))

    def _set(self, mode: Mode, *, bytes_per_second: int = 0) -> None:
        def apply() -> None:
            self.mode = mode
            self.bytes_per_second = bytes_per_second
            assert self._flowing is not None
            if mode is Mode.STALL:
                self._flowing.clear()
            else:
                self._flowing.set()
            if mode is Mode.CUT:
                self._abort_all()

        self._call(apply)

    def _call(self, apply: object) -> None:
        assert callable(apply)
        loop = self._loop
        if loop is None or loop.is_closed():
            apply()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            apply()
        else:
            done = threading.Event()

            def call() -> None:
                try:
                    apply()
                finally:
                    done.set()

            loop.call_soon_threadsafe(call)
            done.wait(10)

    def _abort_all(self) -> None:
        for link in list(self._open):
            link.abort()

    # --- forwarding ----------------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections_accepted += 1
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        if self.mode is Mode.CUT:
            writer.transport.abort()
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            writer.close()
            return
        link = _Link(writer, up_writer)
        self._open.add(link)
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, link, answer=False),
                self._pump(up_reader, writer, link, answer=True),
            )
        finally:
            self._open.discard(link)
            link.abort()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link, *, answer: bool
    ) -> None:
        assert self._flowing is not None
        try:
            while not link.aborted:
                data = await reader.read(_CHUNK)
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                if answer and self._lose > 0:
                    self._lose -= 1
                    link.abort()
                    return
                await self._flowing.wait()
                if link.is_aborted():  # while stalled
                    return
                if self.mode is Mode.SLOW:
                    await self._trickle(data, writer, link)
                else:
                    writer.write(data)
                    await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            link.abort()

    async def _trickle(self, data: bytes, writer: asyncio.StreamWriter, link: _Link) -> None:
        view = memoryview(data)
        while view and not link.aborted:
            await self._flowing.wait()  # type: ignore[union-attr]
            share = len(view)
            if self.mode is Mode.SLOW:
                share = max(1, int(self.bytes_per_second * _TRICKLE_TICK))
            writer.write(bytes(view[:share]))
            view = view[share:]
            await writer.drain()
            if view:
                await asyncio.sleep(_TRICKLE_TICK)


class _Link:
    """Both sockets of one proxied connection."""

    __slots__ = ("aborted", "client", "upstream")

    def __init__(self, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        self.client = client
        self.upstream = upstream
        self.aborted = False

    def is_aborted(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        if not self.aborted:
            self.aborted = True
            for writer in (self.client, self.upstream):
                writer.transport.abort()
                writer.close()
