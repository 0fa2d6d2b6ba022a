"""Publish and replay benchmark: REST publish → JetStream ack, single and batch, at 1/16/64
concurrent publishers; then replay by cursor (events/s).

With `--schema`, the events are ~1 KiB objects of 20 properties and a 20-property schema is
registered for their topics (`bench.>`), so every event is validated; `--kib` sends the same
events with no schema registered (the baseline that isolates validation).

Starts its own nats-server and PostgreSQL (the test fixtures' embedded ones) and the server as
`tidings-server serve` in a process of its own (uvloop, httptools: as in production; a server
in the client's process would share its GIL and measure that instead); prints a Markdown table
for loadtests/RESULTS.md.

    uv run --frozen --no-sync python loadtests/publish/bench_publish.py [--seconds 5]
    uv run --frozen --no-sync python loadtests/publish/bench_publish.py --seconds 3 --schema --no-replay
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tidings_server.config import load_settings
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from tidings_server.store.db import Database
from tidings_server.store.migrate import upgrade
from tidings_server.store.seed import ensure_demo_tenant

BATCH = 100
_TYPES = ["string", "integer", "number", "boolean"]


def twenty_property_schema() -> dict[str, Any]:
    """20 typed properties (5 strings with a pattern and a length bound, bounded numbers)."""
    properties: dict[str, Any] = {}
    for i in range(20):
        kind = _TYPES[i % 4]
        prop: dict[str, Any] = {"type": kind}
        if kind == "string":
            prop.update(maxLength=200, pattern="^[a-z0-9 ]*$")
        elif kind in ("integer", "number"):
            prop.update(minimum=0, maximum=1_000_000)
        properties[f"field_{i:02d}"] = prop
    return {
        "type": "object",
        "required": list(properties)[:10],
        "additionalProperties": False,
        "properties": properties,
    }


def one_kib_event(i: int) -> dict[str, Any]:
    """~1 KiB of JSON valid under `twenty_property_schema`."""
    values = {"string": "lorem ipsum " * 12, "integer": i, "number": 3.25, "boolean": True}
    return {f"field_{n:02d}": values[_TYPES[n % 4]] for n in range(20)}


async def publisher(
    http: httpx.AsyncClient, path: str, body: dict[str, object], until: float, lat: list[float]
) -> int:
    sent = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await http.post(path, json=body)
        lat.append(time.perf_counter() - started)
        assert response.status_code == 201, response.text
        sent += 1
    return sent


async def run(
    url: str,
    key: str,
    project: str,
    seconds: float,
    *,
    data: str = "small",
    publishers: tuple[int, ...] = (1, 16, 64),
    replay: bool = True,
) -> None:
    headers = {"authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=100)

    def event(i: int) -> dict[str, Any]:
        return one_kib_event(i) if data == "kib" else {"i": i, "s": "x" * 100}

    print("| mode | publishers | events/s | p50 ms | p99 ms | requests |")
    print("|---|---:|---:|---:|---:|---:|")
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as http:
        for mode in ("single", "batch"):
            for n in publishers:
                if mode == "single":
                    path, body, per = (
                        f"/v1/projects/{project}/events",
                        {"topic": "bench.a", "data": event(1)},
                        1,
                    )
                else:
                    events = [{"topic": "bench.b", "data": event(i)} for i in range(BATCH)]
                    path, body, per = f"/v1/projects/{project}/events/batch", {"events": events}, BATCH
                lat: list[float] = []
                until = time.perf_counter() + seconds
                started = time.perf_counter()
                counts = await asyncio.gather(*(publisher(http, path, body, until, lat) for _ in range(n)))
                elapsed = time.perf_counter() - started
                q = statistics.quantiles(lat, n=100)
                rate = sum(counts) * per / elapsed
                p50, p99 = q[49] * 1000, q[98] * 1000
                print(f"| {mode} | {n} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {sum(counts)} |")
        if not replay:
            return
        total = 0
        started = time.perf_counter()
        params: dict[str, object] = {"limit": 1000}
        while True:
            page = (await http.get(f"/v1/projects/{project}/events", params=params)).json()
            total += len(page["items"])
            if not page["has_more"]:
                break
            params["after"] = page["next_cursor"]
        elapsed = time.perf_counter() - started
        print(
            f"\nreplay: {total:,} events in {elapsed:.1f} s = {total / elapsed:,.0f} events/s (pages of 1000)"
        )


def _wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the server was not ready in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--schema", action="store_true", help="1 KiB events with a 20-property schema registered"
    )
    parser.add_argument(
        "--kib", action="store_true", help="1 KiB events, no schema (the baseline of --schema)"
    )
    parser.add_argument("--publishers", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--no-replay", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    root.chmod(0o755)
    nats = EmbeddedNats(root / "nats")
    pg = EmbeddedPostgres(
        root / "pg",
        password=secrets.token_urlsafe(16),
        run_as=os.environ.get("TIDINGS_EMBEDDED_PG_USER", "nobody"),
    )
    nats.start()
    pg.start(database="bench")
    try:
        url = pg.url("bench")
        asyncio.run(upgrade(url))
        pepper = secrets.token_urlsafe(32)
        # Rate limits far above what the machine can send: the benchmark measures publishing.
        settings_env = {
            "database_url": url,
            "nats_url": nats.url,
            "api_key_pepper": pepper,
            "token_secret": secrets.token_urlsafe(32),
            "key_rate": 1_000_000,
            "key_burst": 1_000_000,
            "tenant_rate": 1_000_000,
            "tenant_burst": 1_000_000,
            "log_level": "warning",
        }
        load_settings(**settings_env)  # fail here, not in the child, on a bad value

        async def seed() -> str:
            db = Database.connect(url, pool_size=1)
            try:
                key = (await ensure_demo_tenant(db, pepper.encode())).api_key
                assert key is not None
                return key
            finally:
                await db.close()

        key = asyncio.run(seed())
        port = free_port()
        env = {
            **os.environ,
            "TIDINGS_PORT": str(port),
            **{f"TIDINGS_{name.upper()}": str(value) for name, value in settings_env.items()},
        }
        server = subprocess.Popen([sys.executable, "-m", "tidings_server.cli", "serve"], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base, server)
            project = httpx.get(base + "/v1/whoami", headers={"authorization": f"Bearer {key}"}).json()[
                "project_id"
            ]
            if args.schema:
                registered = httpx.post(
                    f"{base}/v1/projects/{project}/schemas",
                    json={"topic": "bench.>", "schema": twenty_property_schema()},
                    headers={"authorization": f"Bearer {key}"},
                )
                assert registered.status_code == 201, registered.text
            asyncio.run(
                run(
                    base,
                    key,
                    project,
                    args.seconds,
                    data="kib" if args.schema or args.kib else "small",
                    publishers=tuple(args.publishers),
                    replay=not args.no_replay,
                )
            )
        finally:
            server.terminate()
            server.wait(30)
    finally:
        pg.stop()
        nats.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
