"""The hub's feed never hands a subscription an event its catch-up already sent, even when the
feed is behind the history (what a NATS restart leaves: issue 12, item 1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.embedded import EmbeddedNats
from tidings_server.events.cursor import CursorCodec
from tidings_server.realtime.frames import Delivered
from tidings_server.realtime.hub import Feed, Hub, Subscription


class Recorder:
    """An outlet that keeps what it is handed."""

    transport = "test"

    def __init__(self) -> None:
        self.seqs: list[int] = []

    def push(self, event: Delivered) -> None:
        self.seqs.append(event.seq)

    def flush(self, cache: dict[tuple[str | int, ...], bytes]) -> tuple[int, int]:
        return 0, 0

    def overflow(self) -> None:
        raise AssertionError("no overflow expected")


@pytest.fixture
async def hub(nats_server: EmbeddedNats) -> AsyncIterator[Hub]:
    broker = await JetStreamBroker.connect([nats_server.url])
    hub = Hub(broker, None, CursorCodec(b"secret"))  # type: ignore[arg-type]  # no stream needed
    yield hub
    await hub.close()
    await broker.close()


def _event(seq: int, topic: str = "a.b") -> Delivered:
    return Delivered(seq, topic, f"c{seq}", b"{}")


async def test_a_promoted_subscription_gets_only_events_after_what_its_catch_up_sent(hub: Hub) -> None:
    feed = Feed(hub, uuid.uuid4(), epoch=1, position=10)  # behind: the history went to 15
    resumed, live = Recorder(), Recorder()
    live_sub = Subscription("a.>", live, limit=1 << 20)
    feed.add(live_sub, buffering=False)
    sub = Subscription("a.b", resumed, limit=1 << 20)
    feed.add(sub, buffering=True)
    feed.deliver(_event(11))  # buffered while the catch-up reads history up to 15
    assert feed.promote(sub, 15) == []  # 11 was sent by the catch-up
    for seq in range(12, 18):
        feed.deliver(_event(seq))
    assert resumed.seqs == [16, 17]  # never 12..15 again
    assert live.seqs == [11, 12, 13, 14, 15, 16, 17]  # the others are not held back


async def test_buffered_events_after_the_catch_up_are_handed_back_in_order(hub: Hub) -> None:
    feed = Feed(hub, uuid.uuid4(), epoch=1, position=0)
    sub = Subscription("a.b", Recorder(), limit=1 << 20)
    feed.add(sub, buffering=True)
    for seq in (1, 2, 3, 4):
        feed.deliver(_event(seq))
    assert [e.seq for e in feed.promote(sub, 2)] == [3, 4]
