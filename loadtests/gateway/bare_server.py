"""The baseline: a bare `websockets` (asyncio) broadcast server, one process, nothing else.

It speaks just enough of the gateway's protocol for the same load clients to use it: `welcome` on
connect, `subscribed` in answer to the first frame, then `event` frames. Each broadcast message is
encoded once and written to every connection with `websockets.broadcast()`, one message per frame
(the figure the issue compares the gateway with). Permessage-deflate is off, as in the gateway.

Commands on stdin, one per line; each answered by one JSON line on stdout:
    count                      {"conns": n}
    broadcast <n> [<rate> [<t0>]]  n messages, as fast as possible (rate 0) or message i at
                               t0 + i / rate (wall clock; t0 default now), stamped with that time;
                               {"sent": n, "conns": c, "seconds": s} once all are written

    uv run --frozen --no-sync python loadtests/gateway/bare_server.py [--port 0]
prints {"port": p, "pid": pid} when listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime

import orjson
import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

CONNS: set[ServerConnection] = set()
WELCOME = orjson.dumps(
    {"type": "welcome", "connection_id": "bare", "heartbeat_ms": 20_000, "max_frame_bytes": 16_384}
)
# A payload the size of the benchmark's events (~120 bytes of data, as loadtests/publish uses).
DATA = {"i": 0, "s": "x" * 100}


def event_frame(i: int, stamp: float) -> bytes:
    now = datetime.fromtimestamp(stamp, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return orjson.dumps(
        {
            "type": "event",
            "id": f"evt_bare{i:016d}",
            "topic": "bench.a",
            "data": {**DATA, "i": i},
            "published_at": now,
            "cursor": f"bare.{i}",
        }
    )


async def handler(ws: ServerConnection) -> None:
    await ws.send(WELCOME, text=True)
    topic = orjson.loads(await ws.recv())["topic"]
    await ws.send(orjson.dumps({"type": "subscribed", "topic": topic}), text=True)
    CONNS.add(ws)
    try:
        await ws.wait_closed()
    finally:
        CONNS.discard(ws)


async def broadcast_messages(n: int, rate: float, wall: float) -> float:
    started = time.monotonic()
    wall = wall or time.time()
    for i in range(n):
        if rate > 0:
            delay = wall + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
        # Paced: stamped with the time the message was due, not the time it went out, so a
        # server falling behind shows in the latency (as a publisher's clock would show it).
        broadcast(CONNS, event_frame(i, wall + i / rate if rate > 0 else time.time()), text=True)
        # Let the loop run between messages, as a server fed by a message source would.
        await asyncio.sleep(0)
    return time.monotonic() - started


def reply(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main(host: str, port: int, backlog: int) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with serve(handler, host, port, compression=None, backlog=backlog, reuse_port=True) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        reply({"port": bound, "pid": os.getpid()})
        while line := await reader.readline():
            words = line.decode().split()
            if not words:
                continue
            if words[0] == "count":
                reply({"conns": len(CONNS)})
            elif words[0] == "broadcast":
                n = int(words[1])
                rate = float(words[2]) if len(words) > 2 else 0.0
                start = float(words[3]) if len(words) > 3 else 0.0
                seconds = await broadcast_messages(n, rate, start)
                reply({"sent": n, "conns": len(CONNS), "seconds": seconds})
            else:
                reply({"error": f"unknown command {words[0]!r}"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    # Above the default of 100 so a burst of connects is not refused at the SYN queue.
    parser.add_argument("--backlog", type=int, default=4096)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvloop.run(main(args.host, args.port, args.backlog))
