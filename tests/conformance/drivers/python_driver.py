"""The Python SDK's conformance driver (tests/conformance/README.md has the driver interface).

    TIDINGS_HARNESS='{"api": ..., "ws": ..., "control": ...}' python python_driver.py scenarios.json

Runs every scenario once per transport it lists; prints one JSON line per run.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Literal, cast

import httpx
import tidings
from tidings.realtime import Realtime, Subscription

from tidings_server.testing.waiting import aeventually

PATIENCE = 30.0
RETRY = tidings.RetryPolicy(max_retries=10, base_delay=0.1, max_delay=1.0)
RECONNECT = tidings.RetryPolicy(base_delay=0.05, max_delay=0.5)


async def eventually(condition: Any, what: str, patience: float = PATIENCE) -> None:
    await aeventually(condition, message=what, timeout=patience)


class Run:
    def __init__(self, harness: dict[str, str], project: dict[str, str], transport: str) -> None:
        self.harness = harness
        self.project = project
        self.transport = cast(Literal["auto", "websocket", "sse"], transport)
        self.rest = tidings.Client(harness["api"], api_key=project["key"], retry=RETRY)
        self.device: tidings.Client | None = None
        self.rt: Realtime | None = None
        self.numbers: list[int] = []
        self.error: BaseException | None = None
        self.published = 0
        self.reader: asyncio.Task[None] | None = None
        self.durable: list[int] = []
        self.connect_step: dict[str, Any] = {}

    async def control(self, action: str, body: dict[str, Any] | None = None) -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.post(f"{self.harness['control']}/{action}", json=body or {})
            answer.raise_for_status()

    async def step(self, step: dict[str, Any]) -> None:
        op = step["op"]
        if op == "reconnect":
            await self._rt().close()
            if self.device is not None:
                await self.device.close()
            await self.step(self.connect_step)
        elif op == "create_durable":
            await self.rest.create_subscription(
                self.project["project"],
                {"name": step["name"], "topic": step["pattern"], "ack_wait_seconds": 1, "max_deliveries": 5},
            )
        elif op == "subscribe_durable":
            durable = await self._rt().subscribe(step["pattern"], durable=step["name"])
            self.durable = []
            self.reader = asyncio.create_task(self._read_durable(durable, step["ack"]))
        elif op == "expect_durable":
            wanted = sorted(int(n) for n in step["numbers"])
            await eventually(lambda: len(self.durable) >= len(wanted), f"{wanted}")
            await asyncio.sleep(0)
            if sorted(self.durable) != wanted:
                raise AssertionError(f"durable got {self.durable}, expected {wanted}")
        elif op == "connect":
            self.connect_step = step
            heartbeat = None if self.transport == "websocket" else 5.0
            if step.get("credential") == "client_token":
                ttl = int(step.get("ttl_seconds", 30))

                async def fresh() -> str:
                    token = await self.rest.mint_token(
                        self.project["project"],
                        {"user_id": "conformance", "capabilities": {"subscribe": [">"]}, "ttl_seconds": ttl},
                    )
                    return token["token"]

                self.device = tidings.Client(
                    self.harness["api"], token_provider=fresh, realtime_url=self.harness["ws"], retry=RETRY
                )
                refresh = float(step.get("refresh_before_seconds", 25))
            else:
                self.device = tidings.Client(
                    self.harness["api"],
                    api_key=self.project["key"],
                    realtime_url=self.harness["ws"],
                    retry=RETRY,
                )
                refresh = 30.0
            self.rt = self.device.realtime(
                self.project["project"],
                transport=self.transport,
                reconnect=RECONNECT,
                heartbeat_timeout=heartbeat,
                token_refresh_before=refresh,
            )
            await self.rt.open()
        elif op == "subscribe":
            sub = await self._rt().subscribe(step["pattern"])
            self.reader = asyncio.create_task(self._read(sub))
        elif op == "publish":
            count = int(step["count"])
            for at in range(self.published, self.published + count, 100):
                n = min(100, self.published + count - at)
                await self.rest.publish_events(
                    self.project["project"],
                    {"events": [{"topic": step["topic"], "data": {"n": at + i}} for i in range(n)]},
                )
            self.published += count
        elif op == "publish_one":
            await self.rest.publish_event(
                self.project["project"], {"topic": step["topic"], "data": {"n": self.published}}
            )
            self.published += 1
        elif op == "expect_stored":
            stored: list[int] = []
            async for event in self.rest.iter_events(self.project["project"], topic=step["topic"]):
                payload = event["data"]
                assert isinstance(payload, dict)
                number = payload["n"]
                assert isinstance(number, int)
                stored.append(number)
            if stored != list(range(int(step["total"]))):
                raise AssertionError(f"stored: {summary(stored)}")
        elif op == "expect":
            total = int(step["total"])
            await eventually(lambda: len(self.numbers) >= total or self.error is not None, f"{total} events")
            if self.error is not None:
                raise self.error
            if self.numbers != list(range(total)):
                raise AssertionError(f"expected exactly 0..{total - 1} in order, got {summary(self.numbers)}")
        elif op == "expect_reconnected":
            if self._rt().reconnects < 1:
                raise AssertionError("no reconnection was counted")
        elif op == "expect_transport":
            if self._rt().transport != step["transport"]:
                raise AssertionError(f"transport is {self._rt().transport}")
        elif op == "expect_token_refreshed":
            await eventually(lambda: self._rt().token_refreshes >= 1, "a token refresh", 60.0)
            if self._rt().reconnects != 0:
                raise AssertionError(f"{self._rt().reconnects} reconnections")
        elif op == "expect_terminal":
            await eventually(lambda: self.error is not None, "a terminal error")
            error = self.error
            terminal = isinstance(error, tidings.ConnectionTerminated) or (
                isinstance(error, tidings.APIStatusError) and error.status == 401
            )
            if not terminal:
                raise AssertionError(f"not a terminal error: {error!r}")
        elif op == "fault":
            kind = step["kind"]
            if kind == "revoke":
                await self.control(
                    "revoke", {"project": self.project["project"], "key_id": self.project["key_id"]}
                )
            else:
                await self.control(kind)
        else:
            raise ValueError(f"unknown step {op}")

    async def _read(self, sub: Subscription) -> None:
        try:
            async for item in sub:
                if item["type"] == "event":
                    data = item["data"]
                    assert isinstance(data, dict)
                    n = data["n"]
                    assert isinstance(n, int)
                    self.numbers.append(n)
        except Exception as exc:  # noqa: BLE001 - what ended the subscription is the outcome
            self.error = exc

    async def _read_durable(self, sub: Subscription, ack: str) -> None:
        async for item in sub:
            if item["type"] != "event":
                continue
            payload = item["data"]
            assert isinstance(payload, dict)
            number = payload["n"]
            assert isinstance(number, int)
            self.durable.append(number)
            if ack == "all" or number % 2 == 0:
                await sub.ack(item)

    def _rt(self) -> Realtime:
        if self.rt is None:
            raise AssertionError("`connect` first")
        return self.rt

    async def close(self) -> None:
        if self.rt is not None:
            await self.rt.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)
        if self.device is not None:
            await self.device.close()
        await self.rest.close()


def summary(numbers: list[int]) -> str:
    if len(numbers) > 20:
        return f"{len(numbers)} events: {numbers[:10]}...{numbers[-10:]}"
    return str(numbers)


async def main(scenarios: list[dict[str, Any]]) -> None:
    harness = json.loads(os.environ["TIDINGS_HARNESS"])
    only = set(sys.argv[2:])
    for scenario in scenarios:
        if only and scenario["name"] not in only:
            continue
        for transport in scenario["transports"]:
            async with httpx.AsyncClient(timeout=60) as http:
                project = (await http.post(f"{harness['control']}/projects")).json()
            run = Run(harness, project, transport)
            started = time.monotonic()
            ok, detail = True, ""
            try:
                for step in scenario["steps"]:
                    await run.step(step)
            except Exception as exc:  # noqa: BLE001 - reported, the next scenario runs
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            finally:
                await run.close()
                await run.control("reset")
            line = {
                "sdk": "python",
                "runtime": "cpython",
                "scenario": scenario["name"],
                "transport": transport,
                "ok": ok,
                "detail": detail,
                "ms": round((time.monotonic() - started) * 1000),
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["scenarios"]))
