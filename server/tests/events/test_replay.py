"""Cursors and replay; retention; schemas; durable subscriptions and dead letters; NATS restart."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import live_server
from tidings_server.testing.waiting import eventually

from .conftest import Project, Projects


def test_pages_by_cursor_without_gap_or_duplicate(projects: Projects) -> None:
    p = projects.new()
    p.publish_batch([{"topic": f"t.{i % 3}", "data": i} for i in range(25)])
    assert [e["data"] for e in p.replay_all(limit=4)] == list(range(25))
    assert [e["data"] for e in p.replay_all(topic="t.1", limit=2)] == list(range(1, 25, 3))


def test_after_before_and_since(projects: Projects) -> None:
    p = projects.new()
    items = p.publish_batch([{"topic": "t", "data": i} for i in range(10)]).json()["items"]
    after = p.replay(after=items[2]["cursor"], before=items[5]["cursor"]).json()
    assert [e["data"] for e in after["items"]] == [3, 4, 5]
    since = p.replay(since="2000-01-01T00:00:00Z").json()
    assert len(since["items"]) == 10
    empty = p.replay(after=items[-1]["cursor"]).json()
    assert empty["items"] == []
    assert empty["has_more"] is False


def test_invalid_and_foreign_cursors(projects: Projects) -> None:
    p, other = projects.new(), projects.new()
    cursor = p.publish("t", 1).json()["cursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    response = p.replay(after=tampered)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"
    assert p.replay(after="nonsense").status_code == 400
    foreign = other.replay(after=cursor)
    assert foreign.status_code == 404


def test_cursor_older_than_retention_answers_the_oldest_valid_cursor(projects: Projects) -> None:
    p = projects.new()
    items = p.publish_batch([{"topic": "t", "data": i} for i in range(10)]).json()["items"]
    policy = {"max_age_seconds": 3600, "max_events": 3, "max_bytes": 1 << 20}
    state = p.call("PUT", "/retention", json=policy)
    assert state.status_code == 200, state.text
    assert state.json()["stored_events"] == 3
    expired = p.replay(after=items[0]["cursor"])
    assert expired.status_code == 410
    oldest = expired.json()["errors"][0]["oldest_cursor"]
    assert [e["data"] for e in p.replay(after=oldest).json()["items"]] == [7, 8, 9]
    # The cursor just before the oldest kept event is still valid.
    assert p.replay(after=items[6]["cursor"]).status_code == 200


def test_retention_by_age_removes_old_events(projects: Projects) -> None:
    p = projects.new()
    assert (
        p.call(
            "PUT", "/retention", json={"max_age_seconds": 1, "max_events": 100, "max_bytes": 1 << 20}
        ).status_code
        == 200
    )
    p.publish("t", "old")
    eventually(p.replay_all, [], interval=0.2, message="the expired event removed")
    p.publish("t", "new")
    assert [e["data"] for e in p.replay_all()] == ["new"]


def test_retention_over_the_plan_is_refused(projects: Projects) -> None:
    p = projects.new()
    response = p.call(
        "PUT", "/retention", json={"max_age_seconds": 7776000, "max_events": 100000000, "max_bytes": 1 << 40}
    )
    assert response.status_code == 400


def test_schema_violations_are_422_with_pointers(projects: Projects) -> None:
    p = projects.new()
    schema = {
        "type": "object",
        "required": ["amount"],
        "properties": {
            "amount": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    created = p.call("POST", "/schemas", json={"topic": "orders.*", "schema": schema})
    assert created.status_code == 201, created.text
    assert p.publish("orders.created", {"amount": 3}).status_code == 201
    bad = p.publish("orders.created", {"amount": -1, "tags": ["a", 2]})
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/data/amount", "/data/tags/1"}
    assert p.publish("users.created", {"anything": True}).status_code == 201
    # A new version may not add a required property; with compatibility none it may.
    stricter = {**schema, "required": ["amount", "currency"]}
    assert p.call("POST", "/schemas", json={"topic": "orders.*", "schema": stricter}).status_code == 409
    v2 = p.call("POST", "/schemas", json={"topic": "orders.*", "schema": stricter, "compatibility": "none"})
    assert v2.json()["version"] == 2
    assert p.publish("orders.created", {"amount": 3}).status_code == 422
    assert p.call("POST", f"/schemas/{v2.json()['id']}/deprecate").json()["status"] == "deprecated"
    assert p.publish("orders.created", {"amount": 3}).status_code == 201


def test_remote_refs_in_schemas_are_refused(projects: Projects) -> None:
    p = projects.new()
    response = p.call(
        "POST", "/schemas", json={"topic": "t", "schema": {"$ref": "https://example.com/s.json"}}
    )
    assert response.status_code == 400


def _pull(p: Project, name: str, **body: int) -> list[dict[str, object]]:
    response = p.call("POST", f"/subscriptions/{name}/pull", json=body)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_durable_subscription_redelivers_until_acked(projects: Projects) -> None:
    p = projects.new()
    created = p.call(
        "POST", "/subscriptions", json={"name": "worker", "topic": "jobs.>", "ack_wait_seconds": 1}
    )
    assert created.status_code == 201, created.text
    p.publish("jobs.a", 1)
    p.publish("other", 2)
    first = _pull(p, "worker", max_events=10, wait_ms=2000)
    assert [d["event"]["data"] for d in first] == [1]  # type: ignore[index]
    again = _pull(p, "worker", max_events=10, wait_ms=5000)
    assert [d["deliveries"] for d in again] == [2]
    assert (
        p.call("POST", "/subscriptions/worker/ack", json={"ack_tokens": [again[0]["ack_token"]]}).status_code
        == 204
    )
    assert _pull(p, "worker", wait_ms=1500) == []


def test_unacked_events_go_to_the_dead_letter_stream_and_can_be_redriven(projects: Projects) -> None:
    p = projects.new()
    p.call(
        "POST",
        "/subscriptions",
        json={"name": "dl", "topic": ">", "ack_wait_seconds": 1, "max_deliveries": 1},
    )
    event = p.publish("jobs.a", {"x": 1}).json()
    assert len(_pull(p, "dl", wait_ms=2000)) == 1
    letters: list[dict[str, object]] = []
    deadline = time.monotonic() + 30
    while not letters and time.monotonic() < deadline:
        _pull(p, "dl", wait_ms=500)  # the advisory fires when JetStream next tries to deliver
        letters = p.call("GET", "/dead-letters").json()["items"]
    assert len(letters) == 1
    letter = letters[0]
    assert letter["subscription"] == "dl"
    assert letter["deliveries"] == 1
    assert letter["event"]["id"] == event["id"]  # type: ignore[index]
    assert letter["event"]["cursor"] == event["cursor"]  # type: ignore[index]
    redriven = p.call("POST", f"/dead-letters/{letter['id']}/redrive")
    assert redriven.status_code == 200
    back = _pull(p, "dl", wait_ms=3000)
    assert [d["event"]["id"] for d in back] == [event["id"]]  # type: ignore[index]
    assert p.call("GET", "/dead-letters").json()["items"] == []
    assert p.call("DELETE", "/dead-letters").json() == {"purged": 0}


def test_ack_token_of_another_subscription_is_refused(projects: Projects) -> None:
    p = projects.new()
    for name in ("a", "b"):
        p.call("POST", "/subscriptions", json={"name": name, "topic": ">"})
    p.publish("t", 1)
    token = _pull(p, "a", wait_ms=2000)[0]["ack_token"]
    refused = p.call("POST", "/subscriptions/b/ack", json={"ack_tokens": [token]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_ack_token"


@pytest.mark.slow
def test_replay_after_a_nats_restart_loses_and_duplicates_nothing(settings: Settings, tmp_path: Path) -> None:
    nats = EmbeddedNats(tmp_path / "nats")
    nats.start()
    own = settings.model_copy(update={"nats_url": nats.url})
    try:
        with live_server(own) as server, httpx.Client(base_url=server.url, timeout=30) as http:
            projects = Projects.__new__(Projects)
            projects.http = http
            p = projects._signup_project()
            n = 120
            sent = [
                p.publish_batch([{"topic": "t", "data": i + j} for j in range(20)]) for i in range(0, n, 20)
            ]
            ids = [i["id"] for r in sent for i in r.json()["items"]]
            nats.stop()
            down = p.publish("t", "lost")
            assert down.status_code == 503
            assert down.headers["retry-after"]
            restarted = EmbeddedNats(tmp_path / "nats", port=nats.port)
            restarted.start()
            try:
                eventually(lambda: p.publish("t", "after").status_code, 201, interval=0.2)
                events = p.replay_all(limit=7)
            finally:
                restarted.stop()
    finally:
        nats.stop()
    data = [e["data"] for e in events]
    assert [e["id"] for e in events[:n]] == ids
    assert data[:n] == list(range(n))
    assert "lost" not in data
    assert data[n:] == ["after"]


def test_retention_the_cluster_cannot_reserve_is_422_and_not_saved(projects: Projects) -> None:
    p = projects.new()
    before = p.call("GET", "/retention").json()
    # Within the plan's bounds but far more than the test node's disk can reserve.
    response = p.call(
        "PUT", "/retention", json={"max_age_seconds": 60, "max_events": 10, "max_bytes": 107374182399}
    )
    if response.status_code == 422:
        assert response.json()["code"] in ("insufficient_storage", "plan_bound_exceeded")
        assert p.call("GET", "/retention").json() == before
    else:
        assert response.status_code == 200  # a node with that much room reserves it
