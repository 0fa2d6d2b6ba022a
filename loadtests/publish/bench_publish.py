"""Publish and replay benchmark: REST publish → JetStream ack, single and batch, at 1/16/64
concurrent publishers; then replay by cursor (events/s).

Starts its own nats-server and PostgreSQL (the test fixtures' embedded ones) and a live server
in this process, like the test suite; prints a Markdown table for loadtests/RESULTS.md.

    uv run --frozen --no-sync python loadtests/publish/bench_publish.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tidings_server.config import load_settings
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres
from tidings_server.store.db import Database
from tidings_server.store.migrate import upgrade
from tidings_server.store.seed import ensure_demo_tenant
from tidings_server.testing.live import live_server

BATCH = 100


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


async def run(url: str, key: str, project: str, seconds: float) -> None:
    headers = {"authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=100)
    print("| mode | publishers | events/s | p50 ms | p99 ms | requests |")
    print("|---|---:|---:|---:|---:|---:|")
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as http:
        for mode in ("single", "batch"):
            for n in (1, 16, 64):
                if mode == "single":
                    path, body, per = (
                        f"/v1/projects/{project}/events",
                        {"topic": "bench.a", "data": {"i": 1, "s": "x" * 100}},
                        1,
                    )
                else:
                    events = [{"topic": "bench.b", "data": {"i": i, "s": "x" * 100}} for i in range(BATCH)]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
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
        settings = load_settings(
            database_url=url,
            nats_url=nats.url,
            api_key_pepper=pepper,
            token_secret=secrets.token_urlsafe(32),
            key_rate=1_000_000,
            key_burst=1_000_000,
            tenant_rate=1_000_000,
            tenant_burst=1_000_000,
            log_level="warning",
        )

        async def seed() -> str:
            db = Database.connect(url, pool_size=1)
            try:
                key = (await ensure_demo_tenant(db, pepper.encode())).api_key
                assert key is not None
                return key
            finally:
                await db.close()

        key = asyncio.run(seed())
        with live_server(settings, validate_responses=False) as server:
            project = httpx.get(server.url + "/v1/whoami", headers={"authorization": f"Bearer {key}"}).json()[
                "project_id"
            ]
            asyncio.run(run(server.url, key, project, args.seconds))
    finally:
        pg.stop()
        nats.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
