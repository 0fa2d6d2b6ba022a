"""Load-generator processes for the gateway benchmark: many lean WebSocket clients per process.

Each process runs one uvloop event loop holding up to ~15,000 connections (the box allows 20,000
open files per process), takes commands from the coordinator over a `multiprocessing` pipe and
answers each with one dict. A connection binds a source address from the list it is given
(127.0.0.2, 127.0.0.3, ... round-robin) so 100,000 connections to one port do not exhaust the
~28,000 ephemeral ports one source address has.

The client is a raw `asyncio.Protocol`, not the `websockets` client: the harness measures the
server, and a `websockets` client connection costs several times the memory and CPU of this one
(measured: `python loadclient.py --compare-memory`). It speaks just what the benchmark needs:
the opening handshake, masked client frames (subscribe, pong, close) and unmasked server frames
(text, ping, close). It counts events, not frames: an `events` frame carries several, and each
event has exactly one `"published_at"` key, so counting that byte string counts events without
decoding JSON (the benchmark's own payloads never contain it). A few "probe" connections do decode
their frames to measure publish → deliver latency from `published_at` (same box, same clock).

Commands (`{"op": ..., ...}` → reply dict):
    connect   open n connections (welcome → subscribe → subscribed), bounded concurrency
    target    reset the counters; report when every open connection has received `events` events
    wait      wait for the target above (timeout) and report when it was reached
    stats     counters, open/closed connections, close codes, RSS and CPU of this process
    latencies the probe connections' publish → deliver latencies (ms) since the last `target`:
              from `published_at`, and (paced runs) from when the event was due to be published
    close     close every connection
    exit      leave
"""

from __future__ import annotations

import asyncio
import base64
import os
import resource
import socket
import struct
import sys
import time
from collections import Counter
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

import orjson

__all__ = ["ClientProcess", "rss_kib", "worker_main"]

# Linux: bind() picks no port; connect() picks one for the full 4-tuple (more ports per source).
IP_BIND_ADDRESS_NO_PORT = 24
EVENT_KEY = b'"published_at"'
# Handshake and first frames: most a server sends before `subscribed` (welcome + subscribed).
MAX_HANDSHAKE_BYTES = 65_536


def rss_kib(pid: int | str = "self") -> int:
    """VmRSS of a process in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _mask(payload: bytes) -> bytes:
    """A masked client frame header + payload (RFC 6455 5.3)."""
    key = os.urandom(4)
    n = len(payload)
    masked = (
        (int.from_bytes(payload, "big") ^ int.from_bytes((key * (n // 4 + 1))[:n], "big")).to_bytes(n, "big")
        if n
        else b""
    )
    if n < 126:
        header = struct.pack("!B", 0x80 | n)
    elif n < 65_536:
        header = struct.pack("!BH", 0x80 | 126, n)
    else:
        header = struct.pack("!BQ", 0x80 | 127, n)
    return header + key + masked


def client_frame(opcode: int, payload: bytes) -> bytes:
    return bytes([0x80 | opcode]) + _mask(payload)


class Fleet:
    """The state one process shares across its connections (counters, target, latencies)."""

    def __init__(self) -> None:
        self.conns: set[WsClient] = set()
        self.events = 0
        self.frames = 0
        self.target = 0
        self.reached = 0
        self.reached_at = 0.0
        self.target_done: asyncio.Future[None] | None = None
        self.latencies_ms: list[float] = []
        # Paced runs: event i was due at due_start + i / due_rate (wall clock); latency from then
        # counts the time a publish waited before the server stamped it (coordinated omission).
        self.due_start = 0.0
        self.due_rate = 0.0
        self.due_latencies_ms: list[float] = []
        self.close_codes: Counter[str] = Counter()
        self.error_frames: Counter[str] = Counter()
        self.closing = False

    def on_reached(self) -> None:
        self.reached += 1
        self.reached_at = time.monotonic()
        if self.reached >= len(self.conns) and self.target_done is not None and not self.target_done.done():
            self.target_done.set_result(None)

    def on_lost(self, conn: WsClient) -> None:
        if conn in self.conns:
            self.conns.discard(conn)
            if conn.count >= self.target > 0:
                self.reached -= 1
            # The target is about open connections: a lost one no longer holds it up.
            if (
                self.target_done is not None
                and not self.target_done.done()
                and self.reached >= len(self.conns)
            ):
                self.target_done.set_result(None)


class WsClient(asyncio.Protocol):
    """One WebSocket client connection, subscribed to one topic pattern."""

    __slots__ = (
        "buf",
        "count",
        "fleet",
        "handshaken",
        "probe",
        "ready",
        "request",
        "state",
        "subscribe",
        "transport",
    )

    def __init__(self, fleet: Fleet, request: bytes, subscribe: bytes, probe: bool) -> None:
        self.fleet = fleet
        self.request = request
        self.subscribe = subscribe
        self.probe = probe
        self.buf = bytearray()
        self.count = 0
        # "handshake" → "welcome" → "subscribed" → "live" → "closed"
        self.state = "handshake"
        self.handshaken = False
        self.transport: asyncio.Transport | None = None
        # Resolved when `subscribed` arrives (or failed with the reason); dropped after.
        self.ready: asyncio.Future[None] | None = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no asyncio.Transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.state != "closed" and not self.fleet.closing:
            self.fleet.close_codes["lost_" + self.state] += 1
        self.state = "closed"
        self._fail(f"connection lost ({exc or 'eof'})")
        self.fleet.on_lost(self)

    def _fail(self, reason: str) -> None:
        if self.ready is not None and not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))
        self.ready = None

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.handshaken:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HANDSHAKE_BYTES:
                    self._abort("handshake_too_long")
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            status = head.split(b" ", 2)[1:2]
            if status != [b"101"]:
                self._abort("http_" + (status[0].decode() if status else "garbage"))
                return
            self.handshaken = True
            self.state = "welcome"
        pos = 0
        size = len(buf)
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            n = b1 & 0x7F
            head = 2
            if n == 126:
                if size - pos < 4:
                    break
                n = (buf[pos + 2] << 8) | buf[pos + 3]
                head = 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if size - pos < head + n:
                break
            start = pos + head
            pos = start + n
            opcode = b0 & 0x0F
            if opcode == 1 or opcode == 0:  # text (servers here never fragment)
                self._text(buf, start, pos)
            elif opcode == 9:  # ping → pong with the same payload
                assert self.transport is not None
                self.transport.write(client_frame(0xA, bytes(buf[start:pos])))
            elif opcode == 8:  # close → record the code, answer, hang up
                code = (buf[start] << 8) | buf[start + 1] if n >= 2 else 1005
                if not self.fleet.closing:
                    self.fleet.close_codes[str(code)] += 1
                self._close(code_payload=bytes(buf[start : start + 2]) if n >= 2 else b"")
                return
        if pos:
            del buf[:pos]

    def _text(self, buf: bytearray, start: int, end: int) -> None:
        fleet = self.fleet
        fleet.frames += 1
        if self.state == "live":
            # The hot path: count events without decoding the frame.
            k = buf.count(EVENT_KEY, start, end)
            if k:
                fleet.events += k
                before = self.count
                self.count = before + k
                if before < fleet.target <= self.count:
                    fleet.on_reached()
                if self.probe:
                    now = time.time()
                    frame = orjson.loads(buf[start:end])
                    events = frame["events"] if frame.get("type") == "events" else [frame]
                    for event in events:
                        sent = datetime.fromisoformat(event["published_at"]).timestamp()
                        fleet.latencies_ms.append((now - sent) * 1000)
                        if fleet.due_rate:
                            due = fleet.due_start + event["data"]["i"] / fleet.due_rate
                            fleet.due_latencies_ms.append((now - due) * 1000)
            elif buf.find(b'"error"', start, end) >= 0:
                fleet.error_frames[orjson.loads(buf[start:end]).get("code", "?")] += 1
            return
        frame = orjson.loads(buf[start:end])
        kind = frame.get("type")
        if kind == "error":
            fleet.error_frames[frame.get("code", "?")] += 1
            self._fail("error frame " + str(frame.get("code")))
        elif self.state == "welcome" and kind == "welcome":
            assert self.transport is not None
            self.state = "subscribed"
            self.transport.write(self.subscribe)
        elif self.state == "subscribed" and kind == "subscribed":
            self.state = "live"
            if self.ready is not None and not self.ready.done():
                self.ready.set_result(None)
            self.ready = None

    def _abort(self, reason: str) -> None:
        self.fleet.close_codes[reason] += 1
        self.state = "closed"
        self._fail(reason)
        if self.transport is not None:
            self.transport.abort()

    def _close(self, code_payload: bytes = b"\x03\xe8") -> None:
        if self.state == "closed":
            return
        self.state = "closed"
        self._fail("closed by the server")
        if self.transport is not None:
            self.transport.write(client_frame(0x8, code_payload))
            self.transport.close()


class ClientProcess:
    """The command loop of one load-generator process."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.fleet = Fleet()
        self.connect_ms: list[float] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        fd = self.pipe.fileno()

        def readable() -> None:
            # The loop made the pipe non-blocking; a large message arrives in several reads.
            os.set_blocking(fd, True)
            commands.put_nowait(self.pipe.recv())

        loop.add_reader(fd, readable)
        while True:
            command = await commands.get()
            op = command.pop("op")
            if op == "exit":
                loop.remove_reader(fd)
                return
            try:
                reply = await getattr(self, "op_" + op)(**command)
            except Exception as exc:  # noqa: BLE001 (the coordinator reports it; the process lives on)
                reply = {"exception": repr(exc)}
            os.set_blocking(fd, True)
            self.pipe.send(reply)

    async def op_connect(
        self,
        host: str,
        port: int,
        path: str,
        headers: dict[str, str],
        n: int,
        sources: list[str],
        topic: str = "bench.>",
        concurrency: int = 100,
        probe_every: int = 0,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        key = base64.b64encode(os.urandom(16))
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: " + key.decode(),
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        subscribe = client_frame(0x1, orjson.dumps({"type": "subscribe", "topic": topic}))
        errors: Counter[str] = Counter()
        gate = asyncio.Semaphore(concurrency)
        fleet = self.fleet
        started = time.monotonic()
        last_ready = started

        async def one(i: int) -> None:
            nonlocal last_ready
            async with gate:
                t0 = time.monotonic()
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                    sock.bind((sources[i % len(sources)], 0))
                    sock.setblocking(False)
                    async with asyncio.timeout(timeout):
                        await loop.sock_connect(sock, (host, port))
                except (OSError, TimeoutError) as exc:
                    sock.close()
                    errors["connect_" + (type(exc).__name__ if exc.errno is None else str(exc.errno))] += 1
                    return
                probe = probe_every > 0 and i % probe_every == 0
                _, conn = await loop.create_connection(
                    lambda: WsClient(fleet, request, subscribe, probe), sock=sock
                )
                ready = conn.ready
                assert ready is not None
                try:
                    async with asyncio.timeout(timeout):
                        await ready
                except TimeoutError:
                    errors["timeout_" + conn.state] += 1
                    conn._abort("timeout_" + conn.state)
                    return
                except ConnectionError as exc:
                    # How long it took says which server timeout (if any) ended it.
                    errors[f"{str(exc)[:60]} after {int(time.monotonic() - t0)} s"] += 1
                    return
                fleet.conns.add(conn)
                now = time.monotonic()
                last_ready = max(last_ready, now)
                self.connect_ms.append((now - t0) * 1000)

        await asyncio.gather(*(one(i) for i in range(n)))
        return {
            "ok": n - sum(errors.values()),
            "errors": dict(errors),
            "started": started,
            "last_ready": last_ready,
            "open": len(fleet.conns),
        }

    async def op_target(self, events: int, due_start: float = 0.0, due_rate: float = 0.0) -> dict[str, Any]:
        fleet = self.fleet
        fleet.events = fleet.frames = 0
        fleet.latencies_ms = []
        fleet.due_latencies_ms = []
        fleet.due_start, fleet.due_rate = due_start, due_rate
        for conn in fleet.conns:
            conn.count = 0
        fleet.target = events
        fleet.reached = 0
        fleet.reached_at = 0.0
        fleet.target_done = asyncio.get_running_loop().create_future()
        if not fleet.conns:
            fleet.target_done.set_result(None)
        return {"open": len(fleet.conns)}

    async def op_wait(self, timeout: float) -> dict[str, Any]:
        fleet = self.fleet
        assert fleet.target_done is not None
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(fleet.target_done)
            complete = True
        except TimeoutError:
            complete = False
        counts = sorted(conn.count for conn in fleet.conns)
        return {
            "complete": complete,
            "reached": fleet.reached,
            "open": len(fleet.conns),
            "reached_at": fleet.reached_at,
            "events": fleet.events,
            "frames": fleet.frames,
            "min_count": counts[0] if counts else 0,
        }

    async def op_stats(self) -> dict[str, Any]:
        fleet = self.fleet
        return {
            "open": len(fleet.conns),
            "events": fleet.events,
            "frames": fleet.frames,
            "close_codes": dict(fleet.close_codes),
            "error_frames": dict(fleet.error_frames),
            "rss_kib": rss_kib(),
            "cpu_s": cpu_seconds(),
            "connect_ms": self.connect_ms,
        }

    async def op_latencies(self) -> dict[str, Any]:
        return {"latencies_ms": self.fleet.latencies_ms, "due_latencies_ms": self.fleet.due_latencies_ms}

    async def op_close(self) -> dict[str, Any]:
        fleet = self.fleet
        fleet.closing = True
        for conn in list(fleet.conns):
            conn._close()
        # Let the close frames and FINs go out before the coordinator moves on.
        for _ in range(100):
            if not fleet.conns:
                break
            await asyncio.sleep(0.05)
        left = len(fleet.conns)
        for conn in list(fleet.conns):
            if conn.transport is not None:
                conn.transport.abort()
        fleet.conns.clear()
        fleet.closing = False
        fleet.close_codes.clear()
        fleet.error_frames.clear()
        self.connect_ms = []
        return {"left_open": left}


def worker_main(pipe: Connection) -> None:
    """Entry point of a load-generator process."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    uvloop.run(ClientProcess(pipe).run())


async def _compare_memory(url: str, n: int) -> None:  # pragma: no cover - a one-off measurement
    """RSS per connection of this client vs the `websockets` client, against a running server."""
    from urllib.parse import urlsplit

    from websockets.asyncio.client import connect

    parts = urlsplit(url)
    before = rss_kib()
    proc = ClientProcess(None)  # type: ignore[arg-type]
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    reply = await proc.op_connect(host, port, parts.path or "/", {}, n, ["127.0.0.2"])
    lean = rss_kib()
    print(f"lean client: {reply['open']} connections, {(lean - before) / max(1, reply['open']):.1f} KiB each")
    conns = []
    for _ in range(n):
        ws = await connect(url, compression=None)
        await ws.recv()
        await ws.send(orjson.dumps({"type": "subscribe", "topic": "bench.>"}).decode())
        await ws.recv()
        conns.append(ws)
    after = rss_kib()
    print(f"websockets client: {len(conns)} connections, {(after - lean) / n:.1f} KiB each")


if __name__ == "__main__":
    import uvloop

    uvloop.run(_compare_memory(sys.argv[1], int(sys.argv[2])))
