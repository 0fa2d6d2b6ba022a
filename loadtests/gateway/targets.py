"""The servers under test: the gateway (`tidings-server serve --workers W` on its own NATS and
PostgreSQL) and the bare `websockets` baseline (bare_server.py), each in processes of their own.

A target exposes where its WebSocket listens, the process ids whose RSS and CPU count as "the
server", and `emit(n)`: n events to every subscriber (REST publishes for the gateway, the
`broadcast` command for the bare server).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from loadclient import cpu_seconds, rss_kib

__all__ = ["Bare", "Gateway", "Stack", "Target", "descendants"]

HERE = Path(__file__).resolve().parent
TOPIC = "bench.a"
# ~120 bytes of data per event, as loadtests/publish publishes.
DATA = {"i": 0, "s": "x" * 100}


def descendants(pid: int) -> list[int]:
    """pid and every process below it (the workers of `serve --workers`)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def open_sockets(pid: int) -> int:
    try:
        return sum(1 for fd in os.scandir(f"/proc/{pid}/fd") if os.readlink(fd.path).startswith("socket:"))
    except OSError:
        return 0


class Target:
    name = ""
    ws_port = 0
    ws_path = "/"
    ws_headers: dict[str, str] = {}

    def pids(self) -> list[int]:
        raise NotImplementedError

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.pids())

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())

    def sockets(self) -> list[int]:
        return [open_sockets(pid) for pid in self.pids()]

    async def emit(self, n: int, *, batch: int = 1, rate: float = 0.0, start: float = 0.0) -> dict[str, Any]:
        """n events to every subscriber: as fast as possible, or (rate > 0) event i at start + i / rate
        (wall clock), its data {"i": i, ...}."""
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class Bare(Target):
    """bare_server.py in a process of its own."""

    name = "bare websockets"

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "bare_server.py"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self.ws_port = (await self._reply())["port"]
        self.workers = 1

    async def _reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 600)
        if not line:
            raise RuntimeError("the bare server exited")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def pids(self) -> list[int]:
        return [self.proc.pid]

    async def emit(self, n: int, *, batch: int = 1, rate: float = 0.0, start: float = 0.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"broadcast {n} {rate} {start}\n".encode())
        await self.proc.stdin.drain()
        reply = await self._reply()
        return {"published": n, "publish_seconds": reply["seconds"], "errors": 0}

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


class Stack:
    """nats-server + PostgreSQL + the migrated database and the demo tenant's API key."""

    def __init__(self) -> None:
        from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres

        self.root = Path(tempfile.mkdtemp(prefix="tidings-bench-gw-"))
        self.root.chmod(0o755)
        self.nats = EmbeddedNats(self.root / "nats")
        self.pg = EmbeddedPostgres(
            self.root / "pg",
            password=secrets.token_urlsafe(16),
            run_as=os.environ.get("TIDINGS_EMBEDDED_PG_USER", "nobody"),
        )
        self.key = ""
        self.settings: dict[str, object] = {}

    async def start(self) -> None:
        from tidings_server.config import load_settings
        from tidings_server.store.db import Database
        from tidings_server.store.migrate import upgrade
        from tidings_server.store.seed import ensure_demo_tenant

        self.nats.start()
        self.pg.start(database="bench")
        url = self.pg.url("bench")
        await upgrade(url)
        pepper = secrets.token_urlsafe(32)
        # Limits far above what the box can open or send: the benchmark measures the gateway.
        self.settings = {
            "database_url": url,
            "nats_url": self.nats.url,
            "api_key_pepper": pepper,
            "token_secret": secrets.token_urlsafe(32),
            "key_rate": 1_000_000,
            "key_burst": 1_000_000,
            "tenant_rate": 1_000_000,
            "tenant_burst": 1_000_000,
            "max_connections_per_tenant": 1_000_000,
            "log_level": "warning",
        }
        load_settings(**self.settings)  # fail here, not in the servers, on a bad value
        db = Database.connect(url, pool_size=1)
        try:
            key = (await ensure_demo_tenant(db, pepper.encode())).api_key
        finally:
            await db.close()
        assert key is not None
        self.key = key

    def nats_cpu(self) -> float:
        pid = self.nats.process.pid
        return cpu_seconds(pid) if pid else 0.0

    def stop(self) -> None:
        self.pg.stop()
        self.nats.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Gateway(Target):
    """`tidings-server serve` with TIDINGS_WORKERS=W: REST + SSE on one port, the WebSocket
    gateway on another, both shared by the W processes."""

    name = "gateway"

    def __init__(self, stack: Stack, workers: int) -> None:
        self.stack = stack
        self.workers = workers

    async def start(self) -> None:
        from tidings_server.embedded import free_port

        port, self.ws_port = free_port(), free_port()
        env = {
            **os.environ,
            **{f"TIDINGS_{name.upper()}": str(value) for name, value in self.stack.settings.items()},
            "TIDINGS_PORT": str(port),
            "TIDINGS_GATEWAY_PORT": str(self.ws_port),
            "TIDINGS_WORKERS": str(self.workers),
        }
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tidings_server.cli", "serve", env=env
        )
        self.base = f"http://127.0.0.1:{port}"
        headers = {"authorization": f"Bearer {self.stack.key}"}
        self.http = httpx.AsyncClient(
            base_url=self.base, headers=headers, timeout=60, limits=httpx.Limits(max_connections=64)
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.returncode is not None:
                raise RuntimeError(f"the gateway exited during start-up ({self.proc.returncode})")
            try:
                if (await self.http.get("/readyz", timeout=2)).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the gateway was not ready in 120 s")
            await asyncio.sleep(0.2)
        # Every worker up: as many processes as asked for (the parent may be one more).
        for _ in range(300):
            if len(self.pids()) >= self.workers:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        self.project = (await self.http.get("/v1/whoami")).json()["project_id"]
        self.ws_path = f"/v1/projects/{self.project}/ws"
        self.ws_headers = {"Authorization": f"Bearer {self.stack.key}"}

    def pids(self) -> list[int]:
        return descendants(self.proc.pid)

    async def emit(
        self, n: int, *, batch: int = 1, rate: float = 0.0, start: float = 0.0, concurrency: int = 8
    ) -> dict[str, Any]:
        """Publish n events over REST: singly or in batches, as fast as allowed or paced at rate/s."""
        path = f"/v1/projects/{self.project}/events" + ("/batch" if batch > 1 else "")
        requests = math.ceil(n / batch)
        errors: Counter[int] = Counter()
        gate = asyncio.Semaphore(concurrency if rate <= 0 else 1_000)
        started = time.monotonic()
        start = start or time.time()
        latencies: list[float] = []

        async def one(i: int) -> None:
            if rate > 0:
                delay = start + i * batch / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            size = min(batch, n - i * batch)
            if batch > 1:
                body: dict[str, Any] = {
                    "events": [{"topic": TOPIC, "data": {**DATA, "i": i * batch + j}} for j in range(size)]
                }
            else:
                body = {"topic": TOPIC, "data": {**DATA, "i": i}}
            async with gate:
                sent = time.monotonic()
                response = await self.http.post(path, json=body)
                latencies.append(time.monotonic() - sent)
            if response.status_code != 201:
                errors[response.status_code] += 1

        await asyncio.gather(*(one(i) for i in range(requests)))
        return {
            "published": n,
            "publish_seconds": time.monotonic() - started,
            "request_ms_p50": sorted(latencies)[len(latencies) // 2] * 1000 if latencies else 0.0,
            "request_ms_max": max(latencies, default=0.0) * 1000,
            "errors": sum(errors.values()),
            "statuses": dict(errors),
        }

    async def stop(self) -> None:
        await self.http.aclose()
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            for pid in self.pids():
                os.kill(pid, 9)
            await self.proc.wait()
