"""API-key authentication cost: µs per `ApiKeyAuthenticator.authenticate` call, with the key's
row cached (the steady state) and uncached (first use on a node: one indexed PostgreSQL read).

    uv run python loadtests/auth/bench_auth.py

Starts its own PostgreSQL (embedded), migrates, creates a key, measures, stops. Bounded: a few
seconds. Prints p50/p99 and throughput; the figures go to loadtests/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tidings_server.auth import apikeys
from tidings_server.embedded import EmbeddedPostgres
from tidings_server.identity.keys import ApiKeyAuthenticator
from tidings_server.store.db import Database
from tidings_server.store.migrate import upgrade
from tidings_server.store.repo import TenantScope, create_tenant

CACHED_CALLS = 50_000
UNCACHED_CALLS = 2_000


def _percentiles(samples: list[float]) -> str:
    samples.sort()
    p50 = samples[len(samples) // 2]
    p99 = samples[int(len(samples) * 0.99)]
    return f"p50 {p50:.1f} µs, p99 {p99:.1f} µs, mean {statistics.fmean(samples):.1f} µs"


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="tidings-bench-auth-"))
    root.chmod(0o755)  # traversable by the PostgreSQL user when run as root
    pg = EmbeddedPostgres(
        root / "pg" / "data",
        password=secrets.token_urlsafe(16),
        run_as=os.environ.get("TIDINGS_EMBEDDED_PG_USER", "nobody"),
    )
    pg.start()
    try:
        asyncio.run(measure(pg.url()))
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


async def measure(url: str) -> None:
    await upgrade(url)
    db = Database.connect(url, pool_size=4)
    pepper = secrets.token_bytes(32)
    keys = []
    async with db.session() as session, session.begin():
        tenant = await create_tenant(session, slug="bench", name="Bench")
        scope = TenantScope(session, tenant.id)
        project = await scope.create_project(slug="bench", name="Bench")
        for _ in range(UNCACHED_CALLS):
            key = apikeys.generate(pepper)
            await scope.create_api_key(
                project_id=project.id,
                key_id=key.key_id,
                digest=key.digest,
                name="b",
                scopes={"publish": [">"]},
            )
            keys.append(key.key)
    auth = ApiKeyAuthenticator(db, pepper)

    uncached = []
    for key in keys:
        started = time.perf_counter_ns()
        assert await auth.authenticate(key) is not None
        uncached.append((time.perf_counter_ns() - started) / 1000)

    cached = []
    hot = keys[0]
    for _ in range(CACHED_CALLS):
        started = time.perf_counter_ns()
        await auth.authenticate(hot)
        cached.append((time.perf_counter_ns() - started) / 1000)
    rate = 1e6 / statistics.fmean(cached)
    print(f"cached   ({CACHED_CALLS} calls): {_percentiles(cached)}; {rate:,.0f} auth/s per core")
    print(f"uncached ({UNCACHED_CALLS} keys):  {_percentiles(uncached)}")
    await auth.close()
    await db.close()


if __name__ == "__main__":
    main()
