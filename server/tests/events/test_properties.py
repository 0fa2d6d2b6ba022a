"""Seed properties 1, 2, 29, 30, 31, 32 against the live server on real NATS and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from .conftest import Projects

token = st.text(alphabet="abcXYZ019_-", min_size=1, max_size=8)
topics = st.lists(token, min_size=1, max_size=4).map(".".join)
json_data = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(topic=topics, data=json_data)
def test_property_01_authenticated_event_acceptance(projects: Projects, topic: str, data: Any) -> None:
    """An event from a credential whose `publish` grant covers the topic is accepted, stored and
    replayed as sent; one whose grant does not cover it is refused and stores nothing."""
    p = projects.new()
    allowed = p.publish(topic, data)
    assert allowed.status_code == 201, allowed.text
    other = projects.key(p, {"publish": ["zzz.>"], "history": [">"]})
    assert p.publish(topic, data, key=other).status_code == 403
    assert [(e["topic"], e["data"]) for e in p.replay_all()] == [(topic, data)]


SCHEMA = {
    "type": "object",
    "required": ["n"],
    "properties": {"n": {"type": "integer", "minimum": 0}, "s": {"type": "string", "maxLength": 3}},
}


@SLOW
@given(data=st.dictionaries(st.sampled_from(["n", "s", "x"]), json_data, max_size=3) | json_data)
def test_property_02_event_validation_consistency(projects: Projects, data: Any) -> None:
    """The server accepts an event exactly when its data satisfies the topic's schema."""
    p = projects.demo_project()
    if not p.call("GET", "/schemas", params={"topic": "prop02.*"}).json()["items"]:
        assert p.call("POST", "/schemas", json={"topic": "prop02.*", "schema": SCHEMA}).status_code == 201
    response = p.publish("prop02.x", data)
    valid = Draft202012Validator(SCHEMA).is_valid(data)
    assert response.status_code == (201 if valid else 422), response.text


@SLOW
@given(
    batches=st.lists(st.lists(st.tuples(topics, json_data), min_size=1, max_size=10), min_size=1, max_size=4)
)
def test_property_29_jetstream_persistence(projects: Projects, batches: list[list[tuple[str, Any]]]) -> None:
    """Every acknowledged event is stored once, in publish order, with its id and data."""
    p = projects.new()
    published = []
    for batch in batches:
        response = p.publish_batch([{"topic": t, "data": d} for t, d in batch])
        assert response.status_code == 201, response.text
        published += [
            (i["id"], i["cursor"], t, d) for i, (t, d) in zip(response.json()["items"], batch, strict=True)
        ]
    stored = [(e["id"], e["cursor"], e["topic"], e["data"]) for e in p.replay_all(limit=7)]
    assert stored == published


@SLOW
@given(n=st.integers(1, 30), split=st.integers(0, 30), page=st.integers(1, 10))
def test_property_30_cursor_based_replay(projects: Projects, n: int, split: int, page: int) -> None:
    """Replay after the cursor of event k returns exactly the events after k, in order, across
    any page size: no gap, no duplicate."""
    p = projects.new()
    items = p.publish_batch([{"topic": "t", "data": i} for i in range(n)]).json()["items"]
    k = min(split, n - 1)
    after = p.replay_all(after=items[k]["cursor"], limit=page)
    assert [e["data"] for e in after] == list(range(k + 1, n))


@SLOW
@given(n=st.integers(1, 25), keep=st.integers(1, 20))
def test_property_31_retention_policy_enforcement(projects: Projects, n: int, keep: int) -> None:
    """With a limit of `keep` events, the stream holds exactly the newest min(n, keep) events,
    and a cursor before them answers 410 with the oldest valid cursor. A single batch of more
    than `keep` events is refused whole (413 `retention_exceeded`: its first events would be
    dropped as soon as stored), so the events go in batches of at most `keep`."""
    p = projects.new()
    assert (
        p.call(
            "PUT", "/retention", json={"max_age_seconds": 3600, "max_events": keep, "max_bytes": 1 << 20}
        ).status_code
        == 200
    )
    if n > keep:
        refused = p.publish_batch([{"topic": "t", "data": i} for i in range(n)])
        assert refused.status_code == 413, refused.text
        assert refused.json()["code"] == "retention_exceeded"
        assert p.replay_all() == []
    items = []
    for start in range(0, n, keep):
        batch = [{"topic": "t", "data": i} for i in range(start, min(n, start + keep))]
        items += p.publish_batch(batch).json()["items"]
    kept = list(range(max(0, n - keep), n))
    assert [e["data"] for e in p.replay_all()] == kept
    if n > keep + 1:
        expired = p.replay(after=items[0]["cursor"])
        assert expired.status_code == 410
        oldest = expired.json()["errors"][0]["oldest_cursor"]
        assert [e["data"] for e in p.replay_all(after=oldest)] == kept


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(max_deliveries=st.integers(1, 2), events=st.integers(1, 3))
def test_property_32_dead_letter_queue_routing(projects: Projects, max_deliveries: int, events: int) -> None:
    """Every event a durable subscription never acknowledges ends in the dead-letter stream
    exactly once, after exactly `max_deliveries` deliveries, with its id and cursor."""
    p = projects.new()
    body = {"name": "w", "topic": ">", "ack_wait_seconds": 1, "max_deliveries": max_deliveries}
    assert p.call("POST", "/subscriptions", json=body).status_code == 201
    sent = p.publish_batch([{"topic": "t", "data": i} for i in range(events)]).json()["items"]
    letters: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while len(letters) < events and time.monotonic() < deadline:
        p.call("POST", "/subscriptions/w/pull", json={"max_events": 10, "wait_ms": 500})
        letters = p.call("GET", "/dead-letters").json()["items"]
    assert sorted(letter["event"]["cursor"] for letter in letters) == sorted(i["cursor"] for i in sent)
    assert {letter["deliveries"] for letter in letters} == {max_deliveries}
    assert {letter["reason"] for letter in letters} == {"max_deliveries"}
