"""Publishing: the happy path, idempotency, and every bad input of the issue."""

from __future__ import annotations

import uuid

from .conftest import Projects


def test_publish_answers_id_cursor_and_time_after_the_ack(projects: Projects) -> None:
    p = projects.new()
    response = p.publish("orders.created", {"n": 1})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["topic"] == "orders.created"
    assert body["cursor"].startswith("c1_")
    assert body["duplicate"] is False
    events = p.replay_all()
    assert [(e["id"], e["cursor"], e["data"]) for e in events] == [(body["id"], body["cursor"], {"n": 1})]


def test_batch_is_stored_in_order(projects: Projects) -> None:
    p = projects.new()
    response = p.publish_batch([{"topic": "t.a", "data": i} for i in range(10)])
    assert response.status_code == 201, response.text
    cursors = [i["cursor"] for i in response.json()["items"]]
    assert [e["data"] for e in p.replay_all()] == list(range(10))
    assert [e["cursor"] for e in p.replay_all()] == cursors


def test_idempotency_key_retry_answers_the_original(projects: Projects) -> None:
    p = projects.new()
    first = p.publish("t", {"a": 1}, **{"Idempotency-Key": "k-1"}).json()
    again = p.publish("t", {"a": 1}, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.json()["duplicate"] is True
    assert (again.json()["id"], again.json()["cursor"], again.json()["published_at"]) == (
        first["id"],
        first["cursor"],
        first["published_at"],
    )
    assert len(p.replay_all()) == 1


def test_idempotency_key_with_another_body_is_409(projects: Projects) -> None:
    p = projects.new()
    assert p.publish("t", {"a": 1}, **{"Idempotency-Key": "k-2"}).status_code == 201
    conflict = p.publish("t", {"a": 2}, **{"Idempotency-Key": "k-2"})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert len(p.replay_all()) == 1


def test_event_id_deduplicates_too(projects: Projects) -> None:
    p = projects.new()
    body = {"topic": "t", "data": 1, "id": "evt-42"}
    first = p.http.post(f"/v1/projects/{p.id}/events", json=body, headers=p.headers)
    again = p.http.post(f"/v1/projects/{p.id}/events", json=body, headers=p.headers)
    assert first.json()["id"] == "evt-42"
    assert again.json()["duplicate"] is True
    assert len(p.replay_all()) == 1


def test_batch_retry_with_the_same_key_stores_nothing_twice(projects: Projects) -> None:
    p = projects.new()
    events = [{"topic": "t", "data": i} for i in range(5)]
    first = p.publish_batch(events, **{"Idempotency-Key": "b-1"}).json()["items"]
    again = p.publish_batch(events, **{"Idempotency-Key": "b-1"}).json()["items"]
    assert [i["cursor"] for i in again] == [i["cursor"] for i in first]
    assert all(i["duplicate"] for i in again)
    assert len(p.replay_all()) == 5


def test_unknown_project_is_404_and_another_project_403(projects: Projects) -> None:
    p = projects.new()
    unknown = p.http.post(
        f"/v1/projects/{uuid.uuid4()}/events", json={"topic": "t", "data": 1}, headers=p.headers
    )
    assert unknown.status_code == 404
    other = projects.new()
    foreign = p.http.post(
        f"/v1/projects/{other.id}/events", json={"topic": "t", "data": 1}, headers=p.headers
    )
    assert foreign.status_code == 403


def test_bad_topics_are_400(projects: Projects) -> None:
    p = projects.new()
    for topic in [
        "",
        "a..b",
        ".a",
        "a.",
        "orders.*",
        "orders.>",
        "x" * 256,
        "caf\u00e9",
        "a b",
        ".".join("a" * 17),
    ]:
        response = p.publish(topic, 1)
        assert response.status_code == 400, (topic, response.text)
        assert response.json()["code"] == "validation_failed"
    assert p.replay_all() == []


def test_body_that_is_not_json_is_400(projects: Projects) -> None:
    p = projects.new()
    response = p.http.post(
        f"/v1/projects/{p.id}/events",
        content=b"{not json",
        headers={**p.headers, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_data_too_deep_is_400(projects: Projects) -> None:
    p = projects.new()
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    response = p.publish("t", deep)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/data"


def test_data_too_large_is_413(projects: Projects) -> None:
    p = projects.new()
    response = p.publish("t", "x" * (64 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "event_too_large"
    assert p.publish("t", "x" * (64 * 1024 - 10)).status_code == 201


def test_batch_over_the_limit_is_refused_whole(projects: Projects) -> None:
    p = projects.new()
    response = p.publish_batch([{"topic": "t", "data": i} for i in range(101)])
    assert response.status_code == 400
    bad = p.publish_batch([{"topic": "t", "data": 1}, {"topic": "t", "data": "x" * 70_000}])
    assert bad.status_code == 413
    assert bad.json()["errors"][0]["pointer"] == "/events/1/data"
    assert p.replay_all() == []


def test_publish_needs_a_publish_grant_on_the_topic(projects: Projects) -> None:
    p = projects.new()
    narrow = projects.key(p, {"publish": ["orders.>"], "history": [">"]})
    assert p.publish("orders.created", 1, key=narrow).status_code == 201
    assert p.publish("users.created", 1, key=narrow).status_code == 403
    reader = projects.key(p, {"history": [">"]})
    assert p.publish("orders.created", 1, key=reader).status_code == 403


def test_user_tokens_cannot_publish(projects: Projects) -> None:
    p = projects.new()
    assert p.user_token is not None
    response = p.publish("t", 1, key=p.user_token)
    assert response.status_code in (401, 403)


def test_integers_beyond_64_bits_are_refused_not_rounded(projects: Projects) -> None:
    """JSON allows any integer, but beyond 64 bits Tidings could only keep a rounded double: the
    publish is refused with a clear code instead of storing altered data."""
    p = projects.new()
    big = 39910458449097472725745664123
    published = p.call("POST", "/events/batch", json={"events": [{"topic": "big", "data": [big, -big, 7]}]})
    assert published.status_code == 400, published.text
    assert published.json()["code"] == "invalid_json"
    assert p.replay(topic="big").json()["items"] == []
    edge = [2**63 - 1, -(2**63)]
    assert p.call("POST", "/events", json={"topic": "big", "data": edge}).status_code == 201
    assert p.replay(topic="big").json()["items"][0]["data"] == edge


def test_text_the_database_cannot_store_is_422(projects: Projects) -> None:
    p = projects.new()
    response = p.call("POST", "/schemas", json={"topic": "t", "schema": {"properties": {"a\u0000b": {}}}})
    assert response.status_code == 422
    assert response.json()["code"] == "unstorable_text"
