"""Helpers for the live tests: publishing numbered events, and reading a subscription."""

from __future__ import annotations

import asyncio

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing import plugin

import tidings
from tidings.generated.models import Published
from tidings.realtime import EventFrame, Item, Subscription

# Backoff short enough that a reconnection does not dominate a test; still exponential + jitter.
FAST_RETRY = tidings.RetryPolicy(max_retries=5, base_delay=0.05, max_delay=0.5)
# How long a test waits for an item that should come. A bound against hanging, not a timing
# assertion: every test asserts what arrived, never how fast.
PATIENCE = 20.0


def live_settings(database_url: str, nats_server: EmbeddedNats, **overrides: object) -> Settings:
    """The plugin's settings for a module's database, with a short drain (a stopping server says
    `going_away` and is gone in half a second) and `overrides`."""
    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    return base.model_copy(update={"drain_seconds": 0.5, "max_body_bytes": 1_048_576, **overrides})


async def publish_many(
    client: tidings.Client, project: str, topic: str, count: int, *, start: int = 0
) -> list[Published]:
    """Publish `{"n": start}` … `{"n": start + count - 1}` to `topic`, one call each, in order."""
    return [
        await client.publish_event(project, {"topic": topic, "data": {"n": n}})
        for n in range(start, start + count)
    ]


async def collect(sub: Subscription, count: int, *, patience: float = PATIENCE) -> list[EventFrame]:
    """The next `count` events of `sub` (a `reset` item fails the test: none is expected)."""
    events: list[EventFrame] = []
    async with asyncio.timeout(patience):
        async for item in sub:
            assert item["type"] == "event", f"unexpected {item}"
            events.append(item)
            if len(events) == count:
                break
    return events


def numbers(events: list[EventFrame]) -> list[int]:
    """The `n` of each event published by `publish_many`."""
    out: list[int] = []
    for event in events:
        data = event["data"]
        assert isinstance(data, dict), data
        n = data["n"]
        assert isinstance(n, int), data
        out.append(n)
    return out


async def next_items(sub: Subscription, count: int) -> list[Item]:
    """The next `count` items of `sub`, events and resets alike."""
    items: list[Item] = []
    async with asyncio.timeout(PATIENCE):
        async for item in sub:
            items.append(item)
            if len(items) == count:
                break
    return items
