"""An acknowledged event is never one JetStream drops at once (issue 12, item 3).

With "discard old", JetStream stores a message larger than the stream's `max_bytes` and removes
it immediately, and a batch over `max_bytes` or `max_events` pushes its own first events out:
those used to be answered 201 with cursors and were never delivered. They are 413
`retention_exceeded` now and nothing is stored; what fits is stored and replayable; a full
stream still takes new events (the oldest go); and JetStream itself refuses an oversized event
when a node's view of the limits is stale."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import nats

from tidings_server.broker.subjects import project_stream
from tidings_server.config import Settings
from tidings_server.testing.live import live_server

from .conftest import Project, Projects

SMALL_POLICY = {"max_age_seconds": 3600, "max_events": 100, "max_bytes": 4096}


def _limit(p: Project, **policy: int) -> None:
    response = p.call("PUT", "/retention", json={**SMALL_POLICY, **policy})
    assert response.status_code == 200, response.text


def _refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == "retention_exceeded"
    return body


def test_an_event_larger_than_max_bytes_is_refused_and_nothing_is_stored(projects: Projects) -> None:
    p = projects.new()
    _limit(p)
    assert p.publish("t", "small").status_code == 201
    _refused(p.publish("t", "x" * 5000))
    assert [e["data"] for e in p.replay_all()] == ["small"]


def test_an_event_that_fits_in_max_bytes_is_stored_and_replayable(projects: Projects) -> None:
    p = projects.new()
    _limit(p)
    big = "y" * 3000
    response = p.publish("t", big)
    assert response.status_code == 201, response.text
    assert [e["cursor"] for e in p.replay_all()] == [response.json()["cursor"]]


def test_a_batch_over_max_bytes_is_refused_whole(projects: Projects) -> None:
    p = projects.new()
    _limit(p)
    _refused(p.publish_batch([{"topic": "t", "data": "z" * 1500} for _ in range(4)]))
    assert p.replay_all() == []


def test_a_batch_over_max_events_is_refused_and_one_that_fits_is_stored(projects: Projects) -> None:
    p = projects.new()
    _limit(p, max_events=3, max_bytes=1 << 20)
    _refused(p.publish_batch([{"topic": "t", "data": i} for i in range(5)]))
    assert p.replay_all() == []
    items = p.publish_batch([{"topic": "t", "data": i} for i in range(3)]).json()["items"]
    assert [e["cursor"] for e in p.replay_all()] == [i["cursor"] for i in items]


def test_a_full_stream_takes_new_events_and_drops_the_oldest(projects: Projects, settings: Settings) -> None:
    """The discard policy is pinned to "old": "new" would refuse publishes to a full stream."""
    p = projects.new()
    _limit(p, max_events=3, max_bytes=1 << 20)
    cursors = []
    for i in range(5):
        response = p.publish("t", i)
        assert response.status_code == 201, response.text
        cursors.append(response.json()["cursor"])
    assert [e["cursor"] for e in p.replay_all()] == cursors[2:]

    async def config() -> Any:
        assert settings.nats_url is not None
        nc = await nats.connect(settings.nats_url)
        try:
            return (await nc.jetstream().stream_info(project_stream(uuid.UUID(p.id)))).config
        finally:
            await nc.close()

    stream = asyncio.run(config())
    assert str(getattr(stream.discard, "value", stream.discard)) == "old"
    assert 0 < stream.max_msg_size <= 1 << 20  # JetStream refuses what could never fit


def test_jetstream_refuses_an_oversized_event_when_a_node_has_stale_limits(
    projects: Projects, settings: Settings
) -> None:
    p = projects.new()
    assert p.publish("t", "warm").status_code == 201  # this node caches the stream's limits
    with live_server(settings) as other, httpx.Client(base_url=other.url, timeout=30) as http:
        lowered = http.put(
            f"/v1/projects/{p.id}/retention", json=SMALL_POLICY, headers=p.headers
        )  # on another node: this one is not told
        assert lowered.status_code == 200, lowered.text
    _refused(p.publish("t", "w" * 5000))
    assert [e["data"] for e in p.replay_all()] == ["warm"]
