"""Connection-scale and fan-out benchmark of the realtime gateway, beside a bare `websockets` server.

    uv run --frozen --no-sync python loadtests/gateway/bench_gateway.py --scenario idle|fanout|latency|connect
        [--runs 3] [--target both|gateway|bare] [--connections N] [--workers W] [--json PATH]

Starts its own nats-server and PostgreSQL (as loadtests/publish does), migrates, seeds the demo
tenant and its API key, then per run a fresh `tidings-server serve` with TIDINGS_WORKERS=W
(default: idle ceil(N / 12,500), fanout 1, latency and connect 2) and a fresh bare server
(`bare_server.py`, one process), and load-generator processes (`loadclient.py`; ≤ 15,000
connections each, source addresses 127.<run>.<process>.2-21 round-robin). Every figure is the
median of `--runs` runs; every wait is bounded. Prints a Markdown table and the machine's load
average; writes every run's raw figures as JSON (`--json`, default
.test-artifacts/bench-gateway-<scenario>.json). To measure a fixed commit while the tree moves,
put a `git archive` of it on PYTHONPATH (`PYTHONPATH=<snapshot>/server/src`).

Scenarios (each subscriber subscribes to `bench.>`; the gateway is published to over REST):
  idle     connect N subscribers, hold them `--hold` s (past a heartbeat), then check every one is
           still open and still receives (one event to all). Server RSS per connection = the sum
           of the server processes' VmRSS growth / connections held.
  fanout   delivered events/s to 1k then 10k subscribers of one topic: the bare server broadcasts
           M messages one per frame; the gateway gets M single publishes (its frames/event shows
           whether it packed them). Then 1k subscribers under bursts: batches of 100 published,
           delivered in `events` frames.
  latency  publish → deliver at N subscribers (default 10k) and `--rate` events/s for `--seconds`;
           probe connections (1 in 50) decode their frames; p50/p99 over all their events, from
           `published_at` and from when each event was due (so a queued publish counts).
  connect  N subscribers connecting at once (bounded in flight per client process): welcome +
           subscribe + subscribed per connection; connections/s and per-connection p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# Run as a script: this folder is on sys.path, so its modules import by name (here and in the
# load-generator processes, which `spawn` starts with the same sys.path).
from loadclient import cpu_seconds, worker_main
from targets import Bare, Gateway, Stack, Target

ROOT = Path(__file__).resolve().parents[2]
# Connections per load-generator process: 20,000 open files allowed, room left for the rest.
PER_CLIENT_PROCESS = 15_000
# Source addresses per load-generator process (each has ~28,000 ephemeral ports).
SOURCES_PER_PROCESS = 20
BATCH = 100


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


# --- load generators ---------------------------------------------------------------------------


class Clients:
    """The load-generator processes, driven over pipes."""

    def __init__(self, processes: int, run: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        for _ in range(processes):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(theirs,), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)
        # Fresh source addresses per run: no 4-tuple of an earlier run's TIME_WAIT in the way.
        self.sources = [
            [f"127.{1 + run % 200}.{p + 1}.{2 + j}" for j in range(SOURCES_PER_PROCESS)]
            for p in range(processes)
        ]

    async def _recv(self, pipe: Connection) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()

        def readable() -> None:
            loop.remove_reader(pipe.fileno())
            # The loop made the pipe non-blocking; a large reply arrives in several reads.
            os.set_blocking(pipe.fileno(), True)
            future.set_result(pipe.recv())

        loop.add_reader(pipe.fileno(), readable)
        reply = await future
        if "exception" in reply:
            raise RuntimeError(f"load generator: {reply['exception']}")
        return reply

    async def call(
        self, op: str, per: Sequence[dict[str, Any]] | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        for i, pipe in enumerate(self.pipes):
            os.set_blocking(pipe.fileno(), True)
            pipe.send({"op": op, **kw, **(per[i] if per else {})})
        return list(await asyncio.gather(*(self._recv(pipe) for pipe in self.pipes)))

    async def connect(
        self, target: Target, n: int, *, concurrency: int = 64, probe_every: int = 0, timeout: float = 60
    ) -> dict[str, Any]:
        """Open n more subscribed connections, spread over the processes."""
        k = len(self.pipes)
        per = [
            {"n": n // k + (1 if i < n % k else 0), "sources": self.sources[i], "probe_every": probe_every}
            for i in range(k)
        ]
        replies = await self.call(
            "connect",
            per,
            host="127.0.0.1",
            port=target.ws_port,
            path=target.ws_path,
            headers=target.ws_headers,
            topic="bench.>",
            concurrency=concurrency,
            timeout=timeout,
        )
        errors: Counter[str] = Counter()
        for reply in replies:
            errors.update(reply["errors"])
        started = min(r["started"] for r in replies)
        last = max(r["last_ready"] for r in replies)
        return {
            "ok": sum(r["ok"] for r in replies),
            "open": sum(r["open"] for r in replies),
            "errors": dict(errors),
            "seconds": last - started,
        }

    async def deliver(
        self, events: int, emit: Callable[[], Any], timeout: float, **arm: float
    ) -> dict[str, Any]:
        """Arm the counters for `events` per connection, run emit(), wait for every connection."""
        armed = await self.call("target", events=events, **arm)
        opened = sum(r["open"] for r in armed)
        cpu0 = self.cpu()
        started = time.monotonic()
        emitted = await emit()
        replies = await self.call("wait", timeout=timeout)
        done = max((r["reached_at"] for r in replies), default=started)
        complete = all(r["complete"] for r in replies)
        end = done if complete else time.monotonic()
        return {
            "subscribers": opened,
            "complete": complete,
            "reached": sum(r["reached"] for r in replies),
            "open": sum(r["open"] for r in replies),
            "events": sum(r["events"] for r in replies),
            "frames": sum(r["frames"] for r in replies),
            "seconds": max(end - started, 1e-9),
            "emitted": emitted,
            "client_cpu_s": self.cpu() - cpu0,
        }

    async def stats(self) -> dict[str, Any]:
        replies = await self.call("stats")
        codes: Counter[str] = Counter()
        frames: Counter[str] = Counter()
        for reply in replies:
            codes.update(reply["close_codes"])
            frames.update(reply["error_frames"])
        connect_ms = [ms for r in replies for ms in r["connect_ms"]]
        return {
            "open": sum(r["open"] for r in replies),
            "closed": dict(codes),
            "error_frames": dict(frames),
            "client_rss_kib": sum(r["rss_kib"] for r in replies),
            "connect_ms": connect_ms,
        }

    async def latencies(self) -> tuple[list[float], list[float]]:
        """(from `published_at`, from when each event was due), ms, over all probe connections."""
        replies = await self.call("latencies")
        return (
            [ms for r in replies for ms in r["latencies_ms"]],
            [ms for r in replies for ms in r["due_latencies_ms"]],
        )

    def cpu(self) -> float:
        return sum(cpu_seconds(proc.pid) for proc in self.procs if proc.pid is not None)

    async def close(self) -> None:
        await self.call("close")

    def stop(self) -> None:
        for pipe in self.pipes:
            pipe.send({"op": "exit"})
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


def clients_for(connections: int, minimum: int = 2) -> int:
    return max(minimum, math.ceil(connections / PER_CLIENT_PROCESS))


# --- scenarios (one run each) ------------------------------------------------------------------


async def start_target(kind: str, stack: Stack | None, workers: int) -> Target:
    target: Bare | Gateway
    if kind == "bare":
        target = Bare()
    else:
        assert stack is not None
        target = Gateway(stack, workers)
    await target.start()
    return target


async def warm_up(clients: Clients, target: Target) -> dict[str, Any]:
    """One event to every subscriber: the path is hot and every subscription live."""
    return await clients.deliver(1, lambda: target.emit(1), timeout=60)


async def run_idle(args: argparse.Namespace, kind: str, stack: Stack | None, run: int) -> dict[str, Any]:
    n = args.connections if kind == "gateway" else min(args.connections, args.bare_connections)
    workers = args.workers or max(1, math.ceil(n / 12_500))
    target = await start_target(kind, stack, 1 if kind == "bare" else workers)
    clients = Clients(clients_for(n), run)
    try:
        await asyncio.sleep(1)
        base_rss = target.rss_kib()
        connected = await clients.connect(target, n, concurrency=args.concurrency)
        print(f"  [{kind}] {connected['open']:,} connected in {connected['seconds']:.1f} s", flush=True)
        await asyncio.sleep(args.hold)
        held = await clients.stats()
        rss = target.rss_kib()
        sockets = target.sockets()
        alive = await clients.deliver(1, lambda: target.emit(1), timeout=120)
        after = await clients.stats()
        return {
            "target": kind,
            "workers": target.workers,
            "asked": n,
            "connected": connected["open"],
            "connect_errors": connected["errors"],
            "held": held["open"],
            "closed_while_held": held["closed"],
            "error_frames": held["error_frames"],
            "delivered_to": alive["reached"],
            "open_after": after["open"],
            "server_rss_mib": rss / 1024,
            "server_rss_delta_mib": (rss - base_rss) / 1024,
            "rss_kib_per_conn": (rss - base_rss) / max(1, held["open"]),
            "sockets_per_process": sockets,
            "client_rss_kib_per_conn": held["client_rss_kib"] / max(1, held["open"]),
            "connect_per_s": connected["open"] / max(connected["seconds"], 1e-9),
        }
    finally:
        await clients.close()
        clients.stop()
        await target.stop()


async def measure_fanout(
    clients: Clients, target: Target, events: int, batch: int, timeout: float, stack: Stack | None
) -> dict[str, Any]:
    cpu0, nats0 = target.cpu(), stack.nats_cpu() if stack else 0.0
    got = await clients.deliver(events, lambda: target.emit(events, batch=batch), timeout=timeout)
    got["server_cpu_s"] = target.cpu() - cpu0
    got["nats_cpu_s"] = (stack.nats_cpu() - nats0) if stack else 0.0
    got["events_per_s"] = got["events"] / got["seconds"]
    got["frames_per_s"] = got["frames"] / got["seconds"]
    got["events_per_frame"] = got["events"] / max(1, got["frames"])
    # CPU per frame written: the cost of the write path whether or not frames were packed.
    got["server_cpu_us_per_frame"] = got["server_cpu_s"] / max(1, got["frames"]) * 1e6
    got["expected"] = events * got["subscribers"]
    return got


async def run_fanout(args: argparse.Namespace, kind: str, stack: Stack | None, run: int) -> dict[str, Any]:
    target = await start_target(kind, stack, 1 if kind == "bare" else (args.workers or 1))
    clients = Clients(2, run)
    result: dict[str, Any] = {"target": kind, "workers": target.workers}
    try:
        small, large = args.subscribers
        connected = await clients.connect(target, small)
        result["connect_errors"] = connected["errors"]
        await warm_up(clients, target)
        result["one_1k"] = await measure_fanout(
            clients, target, args.deliveries // small, 1, args.timeout, stack
        )
        if kind == "gateway":
            result["burst_1k"] = await measure_fanout(
                clients, target, args.burst_deliveries // small, BATCH, args.timeout, stack
            )
        more = await clients.connect(target, large - small)
        result["connect_errors_10k"] = more["errors"]
        await warm_up(clients, target)
        result["one_10k"] = await measure_fanout(
            clients, target, max(1, args.deliveries // large), 1, args.timeout, stack
        )
        result["stats"] = {k: v for k, v in (await clients.stats()).items() if k != "connect_ms"}
        return result
    finally:
        await clients.close()
        clients.stop()
        await target.stop()


async def run_latency(args: argparse.Namespace, kind: str, stack: Stack | None, run: int) -> dict[str, Any]:
    n = args.connections
    target = await start_target(kind, stack, 1 if kind == "bare" else (args.workers or 2))
    clients = Clients(clients_for(n), run)
    try:
        connected = await clients.connect(target, n, probe_every=50)
        await warm_up(clients, target)
        events = int(args.rate * args.seconds)
        cpu0 = target.cpu()
        start = time.time() + 1.0  # every process armed before the first event is due
        got = await clients.deliver(
            events,
            lambda: target.emit(events, rate=args.rate, start=start),
            timeout=args.seconds + args.timeout,
            due_start=start,
            due_rate=args.rate,
        )
        lat, due = await clients.latencies()
        stats = await clients.stats()
        return {
            "target": kind,
            "workers": target.workers,
            "subscribers": connected["open"],
            "connect_errors": connected["errors"],
            "rate": args.rate,
            "events": events,
            "complete": got["complete"],
            "delivered": got["events"],
            "expected": events * got["subscribers"],
            "events_per_frame": got["events"] / max(1, got["frames"]),
            "seconds": got["seconds"],
            "delivered_per_s": got["events"] / got["seconds"],
            "publish_errors": got["emitted"]["errors"],
            "published_per_s": events / got["emitted"]["publish_seconds"],
            "publish_request_ms_p50": got["emitted"].get("request_ms_p50", 0.0),
            "samples": len(lat),
            "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99),
            "max_ms": max(lat, default=math.nan),
            "due_p50_ms": percentile(due, 50),
            "due_p99_ms": percentile(due, 99),
            "server_cpu_share": (target.cpu() - cpu0) / got["seconds"],
            "client_cpu_share": got["client_cpu_s"] / got["seconds"],
            "closed": stats["closed"],
        }
    finally:
        await clients.close()
        clients.stop()
        await target.stop()


async def run_connect(args: argparse.Namespace, kind: str, stack: Stack | None, run: int) -> dict[str, Any]:
    n = args.connections if kind == "gateway" else min(args.connections, args.bare_connections)
    target = await start_target(kind, stack, 1 if kind == "bare" else (args.workers or 2))
    clients = Clients(clients_for(n), run)
    try:
        cpu0 = target.cpu()
        connected = await clients.connect(target, n, concurrency=args.concurrency)
        stats = await clients.stats()
        return {
            "target": kind,
            "workers": target.workers,
            "asked": n,
            "connected": connected["open"],
            "errors": connected["errors"],
            "seconds": connected["seconds"],
            "connect_per_s": connected["open"] / max(connected["seconds"], 1e-9),
            "p50_ms": percentile(stats["connect_ms"], 50),
            "p99_ms": percentile(stats["connect_ms"], 99),
            "server_cpu_share": (target.cpu() - cpu0) / max(connected["seconds"], 1e-9),
        }
    finally:
        await clients.close()
        clients.stop()
        await target.stop()


SCENARIOS = {"idle": run_idle, "fanout": run_fanout, "latency": run_latency, "connect": run_connect}


# --- report ------------------------------------------------------------------------------------


def median_of(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
            values.append(float(value))
    return statistics.median(values) if values else math.nan


def fmt(value: float, digits: int = 0) -> str:
    return "—" if math.isnan(value) else f"{value:,.{digits}f}"


def errors_of(runs: list[dict[str, Any]], *keys: str) -> str:
    total: Counter[str] = Counter()
    for run in runs:
        for key in keys:
            value = run
            for part in key.split("."):
                value = value.get(part, {}) if isinstance(value, dict) else {}
            if isinstance(value, dict):
                total.update({k: v for k, v in value.items() if isinstance(v, int)})
    return ", ".join(f"{k}: {v}" for k, v in total.most_common()) or "0"


def med(runs: list[dict[str, Any]], *path: str, digits: int = 0, scale: float = 1.0) -> str:
    return fmt(median_of(runs, *path) * scale, digits)


def table(scenario: str, by_target: dict[str, list[dict[str, Any]]]) -> str:
    lines: list[str] = []
    if scenario == "idle":
        lines += [
            "| server | processes | asked | held after the hold | delivered to, after | server RSS MiB |"
            " RSS KiB/conn | errors and closes (all runs) |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for kind, runs in by_target.items():
            lines.append(
                f"| {kind} | {runs[0]['workers']} | {runs[0]['asked']:,} | {med(runs, 'held')}"
                f" | {med(runs, 'delivered_to')} | {med(runs, 'server_rss_mib')}"
                f" | {med(runs, 'rss_kib_per_conn', digits=1)}"
                f" | {errors_of(runs, 'connect_errors', 'closed_while_held', 'error_frames')} |"
            )
    elif scenario == "fanout":
        lines += [
            "| server | processes | subscribers | mode | events | delivered events/s | % of bare |"
            " frames/s | events/frame | server CPU µs/frame | complete | server CPU s | client CPU s |",
            "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for kind, runs in by_target.items():
            for key, subs, mode in (
                ("one_1k", "1k", "one per publish"),
                ("burst_1k", "1k", f"batches of {BATCH}"),
                ("one_10k", "10k", "one per publish"),
            ):
                if key not in runs[0]:
                    continue
                complete = sum(1 for run in runs if run[key]["complete"])
                bare = median_of(by_target.get("bare", []), key, "events_per_s")
                share = (
                    median_of(runs, key, "events_per_s") / bare * 100 if not math.isnan(bare) else math.nan
                )
                lines.append(
                    f"| {kind} | {runs[0]['workers']} | {subs} | {mode}"
                    f" | {runs[0][key]['emitted']['published']:,}"
                    f" | {med(runs, key, 'events_per_s')} | {fmt(share)} | {med(runs, key, 'frames_per_s')}"
                    f" | {med(runs, key, 'events_per_frame', digits=1)}"
                    f" | {med(runs, key, 'server_cpu_us_per_frame', digits=1)} | {complete}/{len(runs)}"
                    f" | {med(runs, key, 'server_cpu_s', digits=1)}"
                    f" | {med(runs, key, 'client_cpu_s', digits=1)} |"
                )
    elif scenario == "latency":
        lines += [
            "| server | processes | subscribers | events/s asked | published/s | p50 ms | p99 ms | max ms |"
            " p50 / p99 ms from due | events/frame | delivered / expected | server CPU | client CPU |"
            " errors and closes (all runs) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
        ]
        for kind, runs in by_target.items():
            lines.append(
                f"| {kind} | {runs[0]['workers']} | {med(runs, 'subscribers')} | {runs[0]['rate']:g}"
                f" | {med(runs, 'published_per_s', digits=1)}"
                f" | {med(runs, 'p50_ms', digits=1)} | {med(runs, 'p99_ms', digits=1)}"
                f" | {med(runs, 'max_ms', digits=1)}"
                f" | {med(runs, 'due_p50_ms', digits=1)} / {med(runs, 'due_p99_ms', digits=1)}"
                f" | {med(runs, 'events_per_frame', digits=2)}"
                f" | {med(runs, 'delivered')} / {med(runs, 'expected')}"
                f" | {med(runs, 'server_cpu_share', scale=100)} %"
                f" | {med(runs, 'client_cpu_share', scale=100)} %"
                f" | {errors_of(runs, 'connect_errors', 'closed')} |"
            )
    else:
        lines += [
            "| server | processes | connections | connected | connections/s | p50 ms | p99 ms | server CPU |"
            " errors (all runs) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for kind, runs in by_target.items():
            lines.append(
                f"| {kind} | {runs[0]['workers']} | {runs[0]['asked']:,} | {med(runs, 'connected')}"
                f" | {med(runs, 'connect_per_s')} | {med(runs, 'p50_ms', digits=1)}"
                f" | {med(runs, 'p99_ms', digits=1)} | {med(runs, 'server_cpu_share', scale=100)} %"
                f" | {errors_of(runs, 'errors')} |"
            )
    return "\n".join(lines)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str))


async def main(args: argparse.Namespace) -> None:
    kinds = ["bare", "gateway"] if args.target == "both" else [args.target]
    stack = Stack() if "gateway" in kinds else None
    if stack is not None:
        await stack.start()
    by_target: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    loads: list[str] = []
    try:
        for run in range(args.runs):
            for kind in kinds:
                loads.append(load_average())
                print(f"run {run + 1}/{args.runs} {kind} (load {loads[-1]})", flush=True)
                started = time.monotonic()
                result = await asyncio.wait_for(
                    SCENARIOS[args.scenario](args, kind, stack, run), args.run_timeout
                )
                result["wall_s"] = time.monotonic() - started
                result["load_before"] = loads[-1]
                by_target[kind].append(result)
                await asyncio.sleep(2)  # let sockets close before the next run
    finally:
        if stack is not None:
            stack.stop()
    report = table(args.scenario, by_target)
    print()
    print(report)
    print(f"\nmedian of {args.runs} runs; load average (1/5/15 min) before each run: {'; '.join(loads)}")
    out = Path(args.json or ROOT / ".test-artifacts" / f"bench-gateway-{args.scenario}.json")
    raw = {"scenario": args.scenario, "args": vars(args), "loads": loads, "runs": by_target, "table": report}
    write_json(out, raw)
    print(f"raw figures: {out}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--target", choices=["both", "gateway", "bare"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="gateway processes (default: per scenario)")
    parser.add_argument(
        "--connections", type=int, default=0, help="idle: 100,000; latency: 10,000; connect: 10,000"
    )
    parser.add_argument(
        "--bare-connections",
        type=int,
        default=15_000,
        help="most connections for the one bare process (its open-file limit is 20,000)",
    )
    parser.add_argument("--concurrency", type=int, default=64, help="handshakes in flight per client process")
    parser.add_argument("--hold", type=float, default=45.0, help="idle: seconds held (heartbeat is 20 s)")
    parser.add_argument("--subscribers", type=int, nargs=2, default=[1_000, 10_000])
    parser.add_argument(
        "--deliveries", type=int, default=300_000, help="fanout: events x subscribers per measurement"
    )
    parser.add_argument(
        "--burst-deliveries", type=int, default=2_000_000, help="fanout: events x subscribers, bursts"
    )
    parser.add_argument("--rate", type=float, default=100.0, help="latency: events/s published")
    parser.add_argument("--seconds", type=float, default=10.0, help="latency: seconds of publishing")
    parser.add_argument("--timeout", type=float, default=90.0, help="longest wait for one delivery")
    parser.add_argument("--run-timeout", type=float, default=900.0, help="longest run")
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    if not args.connections:
        args.connections = 100_000 if args.scenario == "idle" else 10_000
    return args


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(parse_args()))
