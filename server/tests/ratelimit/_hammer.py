"""One OS process hitting one key as fast as it can (for test_multiprocess.py).

argv: nats url, key, rate, burst, start (wall clock, s), duration (s). Prints one JSON line: the
wall-clock times (ns) of the admitted hits and the limiter's stats.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time

import nats

from tidings_server.ratelimit import SharedRateLimiter


async def main(url: str, key: str, rate: float, burst: int, start: float, duration: float) -> None:
    nc = await nats.connect(servers=[url])
    limiter = SharedRateLimiter(nc)
    await limiter.hit("warm-up", rate=1000, burst=1000)  # bucket creation, first round trip
    await asyncio.sleep(max(0.0, start - time.time()))
    admitted: list[int] = []
    end = start + duration
    while time.time() < end:
        decision = await limiter.hit(key, rate=rate, burst=burst)
        if decision.allowed:
            admitted.append(time.time_ns())
        else:
            # A client honouring Retry-After would sleep far longer; this keeps hammering.
            await asyncio.sleep(0.0005)
    await limiter.close()
    await nc.close()
    print(json.dumps({"admitted": admitted, "stats": dataclasses.asdict(limiter.stats)}))


if __name__ == "__main__":
    url, key, rate, burst, start, duration = sys.argv[1:]
    asyncio.run(main(url, key, float(rate), int(burst), float(start), float(duration)))
