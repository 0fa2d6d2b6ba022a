"""Cost of the observability middleware per request, in microseconds.

    uv run --frozen --no-sync python loadtests/observability/bench_middleware.py [--requests N]

Calls a minimal ASGI app (answers 200 at once) directly, without a server or sockets, N times
bare and N times through each wrapper, and reports the median over rounds of the difference per
request. Runs the metrics middleware twice: in-process values (single-process mode) and
memory-mapped values (PROMETHEUS_MULTIPROC_DIR, production with several processes), the latter in
a child process since prometheus-client picks its mode at import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

ROUNDS = 7


async def _bare(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    return None


def _scope() -> dict[str, Any]:
    # A new scope per request, as a server makes; the connexion routing result is pre-filled
    # since routing itself is not what is measured.
    return {
        "type": "http",
        "method": "POST",
        "path": "/v1/projects/p1/events",
        "scheme": "http",
        "headers": [],
        "extensions": {"connexion_routing": {"operation_id": "tidings_server.api.events.publish"}},
    }


async def _time(app: Callable[..., Any], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await app(_scope(), _receive, _send)
    return time.perf_counter() - started


async def _overhead(app: Callable[..., Any], requests: int) -> float:
    """Median over rounds of (wrapped - bare) per request, in µs."""
    await _time(app, requests // 10)  # warm caches (label children, code paths)
    diffs = []
    for _ in range(ROUNDS):
        bare = await _time(_bare, requests)
        wrapped = await _time(app, requests)
        diffs.append((wrapped - bare) / requests * 1e6)
    return statistics.median(diffs)


def _wrappers() -> dict[str, Callable[..., Any]]:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import NoOpTracer

    from tidings_server.observability.middleware import RequestMetricsMiddleware
    from tidings_server.observability.tracing import RequestTracingMiddleware

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(InMemorySpanExporter()))
    return {
        "RequestMetricsMiddleware": RequestMetricsMiddleware(_bare),
        "RequestTracingMiddleware (no-op tracer, exporter none)": RequestTracingMiddleware(
            _bare, NoOpTracer()
        ),
        "RequestTracingMiddleware (SDK, sampled, batch export)": RequestTracingMiddleware(
            _bare, provider.get_tracer("bench")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        overhead = asyncio.run(_overhead(_wrappers()["RequestMetricsMiddleware"], args.requests))
        print(f"| RequestMetricsMiddleware (multiprocess mode, mmap) | {overhead:.1f} |")
        return
    print(f"{args.requests:,} requests x {ROUNDS} rounds, median overhead per request\n")
    print("| wrapper | µs / request |\n| --- | ---: |")
    for name, app in _wrappers().items():
        print(f"| {name} | {asyncio.run(_overhead(app, args.requests)):.1f} |", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder}
        command = [sys.executable, __file__, "--child", "--requests", str(args.requests)]
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
