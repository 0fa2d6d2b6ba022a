"""The sans-I/O realtime core, with bytes alone: routing, resume positions, de-duplication,
resets, refusals and the close-code decisions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tidings.realtime.protocol import (
    DEDUP_WINDOW,
    ClientProtocol,
    Confirmed,
    Deliver,
    Ended,
    ProtocolViolation,
    Reauthed,
    Refused,
    ServerError,
    Welcomed,
    close_action,
    encode,
    topic_matches,
)


def event(n: int, topic: str = "orders.created", **extra: object) -> dict[str, object]:
    return {
        "id": f"e{n}",
        "topic": topic,
        "data": {"n": n},
        "published_at": "2026-01-01T00:00:00Z",
        "cursor": f"c{n}",
        **extra,
    }


def frame(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def delivered(outputs: Sequence[object]) -> list[tuple[str, object]]:
    return [(o.pattern, o.item.get("cursor")) for o in outputs if isinstance(o, Deliver)]


def test_topic_patterns_follow_nats_rules() -> None:
    assert topic_matches("orders.*", "orders.created")
    assert not topic_matches("orders.*", "orders.created.eu")
    assert topic_matches("orders.>", "orders.created.eu")
    assert not topic_matches("orders.>", "orders")
    assert topic_matches(">", "a")
    assert topic_matches("a.*.c", "a.b.c")
    assert not topic_matches("a.b", "a.b.c")
    assert not topic_matches("a.b.c", "a.b")


VECTORS = json.loads((Path(__file__).parents[4] / "spec" / "vectors" / "topics.json").read_text())


@pytest.mark.parametrize("case", VECTORS["matches"], ids=lambda c: f"{c['pattern']}~{c['topic']}")
def test_topic_matching_follows_the_shared_vectors(case: dict[str, object]) -> None:
    """The same hand-written cases the server's grants and routing are checked against."""
    assert topic_matches(str(case["pattern"]), str(case["topic"])) is case["expected"]


def test_events_go_to_every_matching_subscription_in_order() -> None:
    proto = ClientProtocol()
    proto.add("orders.*")
    proto.add("orders.>")
    proto.add("invoices.*")
    out = proto.receive(frame(type="events", events=[event(1), event(2, "orders.a.b")]))
    assert delivered(out) == [("orders.*", "c1"), ("orders.>", "c1"), ("orders.>", "c2")]
    # A batched event is handed on in the shape of a single one.
    first = out[0]
    assert isinstance(first, Deliver)
    assert first.item["type"] == "event"


def test_a_resent_event_is_dropped_and_the_resume_cursor_is_the_last_handed_on() -> None:
    proto = ClientProtocol()
    state = proto.add("orders.*")
    assert delivered(proto.receive(frame(type="event", **event(1)))) == [("orders.*", "c1")]
    assert delivered(proto.receive(frame(type="events", events=[event(1), event(2)]))) == [("orders.*", "c2")]
    assert state.cursor == "c2"
    assert state.subscribe_frame("s9") == {
        "type": "subscribe",
        "topic": "orders.*",
        "id": "s9",
        "cursor": "c2",
    }


def test_the_duplicate_window_is_bounded() -> None:
    proto = ClientProtocol()
    state = proto.add("t")
    for n in range(DEDUP_WINDOW + 10):
        assert state.accept(event(n, "t"))  # type: ignore[arg-type]
    assert not state.accept(event(DEDUP_WINDOW + 9, "t"))  # type: ignore[arg-type]
    assert state.accept(event(0, "t"))  # type: ignore[arg-type] # long forgotten


def test_subscribed_gives_the_live_position_only_to_a_subscription_without_one() -> None:
    proto = ClientProtocol()
    fresh = proto.add("a.*")
    replaying = proto.add("b.*", cursor="c10")
    assert proto.receive(frame(type="subscribed", topic="a.*", id="s1", cursor="c50")) == [
        Confirmed("a.*", "s1")
    ]
    proto.receive(frame(type="subscribed", topic="b.*", cursor="c50"))
    assert fresh.cursor == "c50", "a reconnection before any event resumes from where it went live"
    assert replaying.cursor == "c10", "the replay in flight must not be skipped"
    proto.receive(frame(type="event", **event(11, "b.x")))
    proto.receive(frame(type="subscribed", topic="b.*", cursor="c99"))
    assert replaying.cursor == "c11"


def test_a_durable_subscription_gets_its_own_events_and_keeps_redeliveries() -> None:
    proto = ClientProtocol()
    plain = proto.add("jobs.*")
    durable = proto.add("jobs.>", durable="workers")
    out = proto.receive(frame(type="event", durable="workers", **event(1, "jobs.a")))
    assert delivered(out) == [("jobs.>", "c1")]
    again = proto.receive(frame(type="events", durable="workers", events=[event(1, "jobs.a")]))
    assert delivered(again) == [("jobs.>", "c1")], "a redelivery is the point of a durable subscription"
    assert durable.subscribe_frame() == {"type": "subscribe", "topic": "jobs.>", "durable": "workers"}
    assert plain.cursor is None


def test_reset_moves_the_cursor_and_is_handed_on() -> None:
    proto = ClientProtocol()
    state = proto.add("a.*", cursor="c1")
    reset = {"type": "reset", "topic": "a.*", "oldest_cursor": "c40", "reason": "expired"}
    out = proto.receive(frame(**reset))
    assert out == [Deliver("a.*", reset)]  # type: ignore[arg-type]
    assert state.cursor == "c40"


def test_replies_are_told_apart_by_id_and_code() -> None:
    proto = ClientProtocol()
    proto.add("a.*")
    welcome = frame(type="welcome", connection_id="n-1", heartbeat_ms=20000, max_frame_bytes=16384)
    assert proto.receive(welcome) == [Welcomed("n-1", 20000, 16384)]
    assert proto.receive(frame(type="authed", id="a1", expires_at="2030-01-01T00:00:00Z")) == [
        Reauthed("a1", "2030-01-01T00:00:00Z")
    ]
    refused = frame(type="error", id="s1", code="forbidden", message="no")
    assert proto.receive(refused) == [Refused("s1", "forbidden", "no")]
    # No id, and a code that ends connections: the reason for the close that follows.
    closing = frame(type="error", code="going_away", message="bye", close_code=4001, retry=True)
    assert proto.receive(closing) == [ServerError("going_away", "bye", 4001, True)]
    # No id, a frame-level code (an ack refused): a refusal, the connection stays.
    assert proto.receive(frame(type="error", code="invalid_ack_token", message="?")) == [
        Refused(None, "invalid_ack_token", "?")
    ]
    assert proto.receive(frame(type="unsubscribed", topic="a.*")) == [Ended("a.*", None)]
    assert proto.receive(frame(type="from_the_future")) == []


@pytest.mark.parametrize("data", [b"not json", b"[1]", b'{"no":"type"}'])
def test_garbage_is_a_protocol_violation(data: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        ClientProtocol().receive(data)


def test_a_second_subscription_to_a_pattern_is_refused() -> None:
    proto = ClientProtocol()
    proto.add("a.*")
    with pytest.raises(ValueError, match="already subscribed"):
        proto.add("a.*")


def test_close_codes_follow_the_registry() -> None:
    assert close_action(4001) == "reconnect"  # going_away
    assert close_action(4401) == "terminal"  # unauthenticated
    assert close_action(4403) == "terminal"  # forbidden
    assert close_action(4429) == "reconnect"  # rate_limited
    assert close_action(4008) == "reconnect"  # slow_consumer
    assert close_action(4402) == "reconnect"  # token_expired: a fresh token from the provider
    assert close_action(4423) == "terminal"  # tenant_suspended
    assert close_action(1000) == "reconnect"
    assert close_action(1006) == "reconnect"  # lost without a close frame
    assert close_action(1008) == "terminal"
    assert close_action(None) == "reconnect"
    # A close code newer than this SDK: the error frame's own `retry` decides.
    assert close_action(4999, ServerError("new_code", "", 4999, False)) == "terminal"
    assert close_action(4999, ServerError("new_code", "", 4999, True)) == "reconnect"
    assert close_action(4999) == "reconnect"


def test_client_frames_are_compact_json() -> None:
    assert (
        encode({"type": "ack", "durable": "w", "cursor": "c1"})
        == '{"type":"ack","durable":"w","cursor":"c1"}'
    )
