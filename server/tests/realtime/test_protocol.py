"""The realtime protocol with bytes alone: every frame the session produces matches
spec/asyncapi.yaml, every malformed frame gets a registry code."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tidings_server.realtime.protocol import (
    AckDelivery,
    Close,
    Reauthenticate,
    Reply,
    Session,
    StartSubscription,
    StopSubscription,
    parse_client_frame,
)
from tidings_server.spec import error_registry, spec_dir

SCHEMAS = spec_dir() / "schemas"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.yaml"):
        resources.append((path.resolve().as_uri(), Resource.opaque(yaml.safe_load(path.read_text()))))
    return Registry().with_resources(resources)


REGISTRY = _registry()
REALTIME = (SCHEMAS / "realtime.yaml").resolve().as_uri()


def assert_frame(frame: dict[str, Any], definition: str) -> None:
    schema = {"$ref": f"{REALTIME}#/definitions/{definition}"}
    Draft202012Validator(schema, registry=REGISTRY).validate(frame)


def session(**grants: list[str]) -> Session:
    return Session(grants=grants or {"subscribe": [">"]}, max_subscriptions=3, max_frame_bytes=4096)


def replies(commands: list[Any]) -> list[dict[str, Any]]:
    return [c.frame for c in commands if isinstance(c, Reply)]


def test_subscribe_starts_a_subscription() -> None:
    s = session()
    commands = s.receive(b'{"type":"subscribe","topic":"orders.*","cursor":"c1","id":"s1"}')
    assert commands == [StartSubscription("orders.*", "c1", None, "s1")]
    assert s.subscriptions == {"orders.*": None}
    assert s.matches("orders.created") == ["orders.*"]
    assert s.matches("users.created") == []


def test_ping_is_answered_with_its_id() -> None:
    frames = replies(session().receive('{"type":"ping","id":"p-1"}'))
    assert frames == [{"type": "pong", "id": "p-1"}]
    assert_frame(frames[0], "Pong")


def test_unsubscribe_stops_and_confirms() -> None:
    s = session()
    s.receive(b'{"type":"subscribe","topic":"a.>"}')
    commands = s.receive(b'{"type":"unsubscribe","topic":"a.>","id":"u"}')
    assert commands[0] == StopSubscription("a.>")
    assert_frame(replies(commands)[0], "Unsubscribed")
    assert s.subscriptions == {}


def test_unsubscribing_an_unknown_pattern_is_an_error_frame_not_a_close() -> None:
    commands = session().receive(b'{"type":"unsubscribe","topic":"a.b"}')
    assert not any(isinstance(c, Close) for c in commands)
    frame = replies(commands)[0]
    assert frame["code"] == "not_subscribed"
    assert_frame(frame, "ErrorFrame")


def test_subscribe_outside_the_grants_is_forbidden() -> None:
    s = session(subscribe=["chat.room1"])
    for pattern in ["chat.*", "chat.>", ">", "orders.x"]:
        frame = replies(s.receive(orjson.dumps({"type": "subscribe", "topic": pattern})))[0]
        assert frame["code"] == "forbidden", pattern
    assert s.subscriptions == {}
    assert s.receive(b'{"type":"subscribe","topic":"chat.room1"}')[0] == StartSubscription(
        "chat.room1", None, None, None
    )


def test_a_credential_without_subscribe_cannot_subscribe() -> None:
    s = Session(grants={"publish": [">"]}, max_subscriptions=3, max_frame_bytes=4096)
    assert replies(s.receive(b'{"type":"subscribe","topic":"a"}'))[0]["code"] == "forbidden"


def test_subscription_flood_is_capped() -> None:
    s = session()
    for i in range(3):
        assert isinstance(
            s.receive(orjson.dumps({"type": "subscribe", "topic": f"t{i}"}))[0], StartSubscription
        )
    frame = replies(s.receive(b'{"type":"subscribe","topic":"t9"}'))[0]
    assert frame["code"] == "too_many_subscriptions"
    # Re-subscribing an existing pattern (new cursor) is not a new subscription.
    assert isinstance(s.receive(b'{"type":"subscribe","topic":"t0","cursor":"x"}')[0], StartSubscription)


def test_durable_ack_needs_the_durable_subscription() -> None:
    s = session()
    assert replies(s.receive(b'{"type":"ack","durable":"jobs","cursor":"c"}'))[0]["code"] == "not_subscribed"
    s.receive(b'{"type":"subscribe","topic":"jobs.>","durable":"jobs"}')
    assert s.receive(b'{"type":"ack","durable":"jobs","cursor":"c"}') == [AckDelivery("jobs", "c")]


def test_auth_asks_the_transport_to_verify_and_narrowed_grants_end_subscriptions() -> None:
    s = session()
    s.receive(b'{"type":"subscribe","topic":"a.>"}')
    s.receive(b'{"type":"subscribe","topic":"b.x"}')
    assert s.receive(b'{"type":"auth","token":"eyJ...","id":"r"}') == [Reauthenticate("eyJ...", "r")]
    commands = s.replace_grants({"subscribe": ["b.*"]})
    assert commands[0] == StopSubscription("a.>")
    assert_frame(replies(commands)[0], "Unsubscribed")
    assert s.subscriptions == {"b.x": None}


BAD_FRAMES: list[tuple[bytes, str]] = [
    (b"not json", "invalid_frame"),
    (b"[1,2]", "invalid_frame"),
    (b'"subscribe"', "invalid_frame"),
    (b"{}", "invalid_frame"),
    (b'{"type":"explode"}', "invalid_frame"),
    (b'{"type":"subscribe"}', "invalid_frame"),
    (b'{"type":"subscribe","topic":"a..b"}', "invalid_frame"),
    (b'{"type":"subscribe","topic":"a.>.b"}', "invalid_frame"),
    (b'{"type":"subscribe","topic":"a","extra":1}', "invalid_frame"),
    (b'{"type":"subscribe","topic":"a","cursor":5}', "invalid_frame"),
    (b'{"type":"subscribe","topic":"a","durable":"no spaces"}', "invalid_frame"),
    (b'{"type":"ping","id":""}', "invalid_frame"),
    (b'{"type":"ack","cursor":"c"}', "invalid_frame"),
    (b'{"type":"auth"}', "invalid_frame"),
    (b'{"type":"ping","pad":"' + b"x" * 5000 + b'"}', "frame_too_large"),
]


@pytest.mark.parametrize(("data", "code"), BAD_FRAMES)
def test_malformed_frames_answer_an_error_then_close(data: bytes, code: str) -> None:
    commands = session().receive(data)
    frame = replies(commands)[0]
    assert frame["code"] == code
    assert_frame(frame, "ErrorFrame")
    assert isinstance(commands[-1], Close)
    assert error_registry()[code].close_code is not None


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_no_input_escapes_as_an_exception(data: bytes | str) -> None:
    commands = session().receive(data)
    for frame in replies(commands):
        assert frame["type"] in {"pong", "error", "unsubscribed"}


@given(
    st.fixed_dictionaries(
        {"type": st.just("subscribe"), "topic": st.from_regex(r"\A[a-z]{1,5}(\.[a-z]{1,5}){0,3}(\.>)?\Z")},
        optional={
            "cursor": st.from_regex(r"\Ac1_[A-Za-z0-9_-]{59}\Z"),
            "id": st.text(min_size=1, max_size=64),
        },
    )
)
def test_every_frame_valid_by_the_spec_parses(frame: dict[str, Any]) -> None:
    assert_frame(frame, "Subscribe")
    parsed = parse_client_frame(orjson.dumps(frame), max_frame_bytes=1 << 20)
    assert parsed.topic == frame["topic"]  # type: ignore[union-attr]


def test_registry_codes_used_by_the_protocol_exist() -> None:
    for code in ("invalid_frame", "frame_too_large", "forbidden", "too_many_subscriptions", "not_subscribed"):
        assert code in error_registry()
