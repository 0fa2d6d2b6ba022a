"""Rate limiter benchmark: cost of one check, and precision across processes sharing one key.

    uv run python loadtests/ratelimit/bench_ratelimit.py [--duration 2] [--processes 2 4]

Starts its own nats-server (tidings_server.embedded.EmbeddedNats) in a temporary folder and stops
it at the end; bounded in time (about 10 s + 2 x duration per process count and mode).

1. Hot path: µs per `hit` (p50/p99/mean) in one process, for the local limiter, the shared limiter
   with leases (the default), and the shared limiter without leases (one compare-and-set per hit).
2. Precision: N OS processes hammer one key (rate R, burst B) for `duration` seconds; admitted vs
   ideal `B + R * t` over the whole run, and the worst excess over `B + R * w` in any sliding
   window of w = 0.1 s and 1 s. A refused worker sleeps 0.5 ms and tries again (far more eager than
   a client honouring Retry-After).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nats

from tidings_server.embedded import EmbeddedNats
from tidings_server.ratelimit import LocalRateLimiter, RateLimiter, SharedRateLimiter
from tidings_server.ratelimit.shared import lease_size

PRECISION_RATE = 500.0
PRECISION_BURST = 100


def _percentiles(samples_ns: list[int]) -> dict[str, float]:
    samples = sorted(samples_ns)
    return {
        "p50_us": samples[len(samples) // 2] / 1000,
        "p99_us": samples[int(len(samples) * 0.99)] / 1000,
        "mean_us": statistics.fmean(samples) / 1000,
    }


async def _time_hits(limiter: RateLimiter, hits: int, *, rate: float, burst: int) -> dict[str, float]:
    key = f"key:{uuid.uuid4().hex[:12]}"
    await limiter.hit(key, rate=rate, burst=burst)  # first round trip, bucket creation
    samples = []
    refused = 0
    for _ in range(hits):
        started = time.perf_counter_ns()
        decision = await limiter.hit(key, rate=rate, burst=burst)
        samples.append(time.perf_counter_ns() - started)
        refused += not decision.allowed
    return {**_percentiles(samples), "hits": hits, "refused": refused}


async def hot_path(url: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    local = LocalRateLimiter()
    # A limit the loop never reaches: this measures the cost of an admitted check.
    rows.append({"limiter": "LocalRateLimiter", **await _time_hits(local, 50_000, rate=1e6, burst=100_000)})
    nc = await nats.connect(servers=[url])
    try:
        leased = SharedRateLimiter(nc)
        result = await _time_hits(leased, 50_000, rate=1e6, burst=100_000)
        rows.append(
            {
                "limiter": "SharedRateLimiter (leases)",
                **result,
                "store_waits": leased.stats.store_hits,
                "refills": leased.stats.refills,
            }
        )
        await leased.close()
        strict = SharedRateLimiter(nc, lease_seconds=0, bucket="tidings_ratelimit_strict")
        result = await _time_hits(strict, 3_000, rate=1e6, burst=100_000)
        rows.append(
            {
                "limiter": "SharedRateLimiter (lease_seconds=0)",
                **result,
                "store_waits": strict.stats.store_hits,
            }
        )
        await strict.close()
    finally:
        await nc.close()
    return rows


async def worker(url: str, key: str, lease_seconds: float, start: float, duration: float) -> None:
    nc = await nats.connect(servers=[url])
    limiter = SharedRateLimiter(nc, lease_seconds=lease_seconds)
    await limiter.hit("warm-up", rate=1000, burst=1000)
    await asyncio.sleep(max(0.0, start - time.time()))
    admitted: list[int] = []
    attempts = 0
    end = start + duration
    while time.time() < end:
        attempts += 1
        decision = await limiter.hit(key, rate=PRECISION_RATE, burst=PRECISION_BURST)
        if decision.allowed:
            admitted.append(time.time_ns())
        else:
            await asyncio.sleep(0.0005)
    await limiter.close()
    await nc.close()
    report = {"admitted": admitted, "attempts": attempts, "stats": dataclasses.asdict(limiter.stats)}
    print(json.dumps(report))


def _worst_window_excess(admitted_ns: list[int], window: float) -> float:
    """max over windows [t, t + w] starting at an admission of (count - (burst + rate * w))."""
    w_ns = int(window * 1e9)
    worst = -float("inf")
    for i, t in enumerate(admitted_ns):
        count = bisect.bisect_right(admitted_ns, t + w_ns) - i
        worst = max(worst, count - (PRECISION_BURST + PRECISION_RATE * window))
    return worst


def precision(url: str, processes: int, lease_seconds: float, duration: float) -> dict[str, object]:
    key = f"key:{uuid.uuid4().hex[:12]}"
    start = time.time() + 2.0 + 0.3 * processes  # every interpreter imported and connected
    argv = [sys.executable, __file__, "--worker", url, key, str(lease_seconds), str(start), str(duration)]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    reports = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60 + duration)
        if proc.returncode != 0:
            raise RuntimeError(f"worker failed with {proc.returncode}")
        reports.append(json.loads(out))
    admitted = sorted(t for r in reports for t in r["admitted"])
    ideal = PRECISION_BURST + PRECISION_RATE * duration
    stats = [r["stats"] for r in reports]
    return {
        "processes": processes,
        "mode": "leases" if lease_seconds > 0 else "lease_seconds=0",
        "lease_cells": lease_size(PRECISION_RATE, PRECISION_BURST, lease_seconds=lease_seconds),
        "admitted": len(admitted),
        "ideal": ideal,
        "admitted/ideal": round(len(admitted) / ideal, 4),
        "per_process": [len(r["admitted"]) for r in reports],
        "worst_excess_0.1s": _worst_window_excess(admitted, 0.1),
        "worst_excess_1s": _worst_window_excess(admitted, 1.0),
        "attempts": sum(r["attempts"] for r in reports),
        "store_round_trips": sum(s["store_hits"] + s["refills"] for s in stats),
        "cas_conflicts": sum(s["cas_conflicts"] for s in stats),
        "fallbacks": sum(s["fallbacks"] for s in stats),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, key, lease_seconds, start, duration = sys.argv[2:]
        asyncio.run(worker(url, key, float(lease_seconds), float(start), float(duration)))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=2.0, help="seconds each precision run hammers")
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ratelimit-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats")
        server.start()
        try:
            print("## hot path (one process)")
            for row in asyncio.run(hot_path(server.url)):
                print(json.dumps(row))
            print(f"## precision (rate {PRECISION_RATE:g}/s, burst {PRECISION_BURST}, {args.duration:g} s)")
            for processes in args.processes:
                for lease_seconds in (0.02, 0.0):
                    print(json.dumps(precision(server.url, processes, lease_seconds, args.duration)))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
