"""The WebSocket gateway against a live server (real NATS and PostgreSQL): admission, delivery,
resume by cursor, durable acks, credentials, bad input. Every server frame is checked against
spec/asyncapi.yaml by the `connect` fixture's client."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import httpx
import orjson
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from tidings_server import topics
from tidings_server.auth.tokens import TokenIssuer
from tidings_server.config import Settings
from tidings_server.realtime import gateway as gateway_mod
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Client, FrameValidator, Project, new_project
from tidings_server.testing.waiting import aeventually


def gateways() -> list[gateway_mod.Gateway]:
    return list(gateway_mod._RUNNING)


# --- admission (property 6) -------------------------------------------------------------------


async def test_without_credentials_the_handshake_ends_with_4401_not_a_500(
    project: Project, connect: Any
) -> None:
    client = await connect(project.ws_url, None, welcome=False)
    code, error = await client.closed()
    assert code == 4401
    assert error is not None
    assert error["code"] == "unauthenticated"
    assert error["retry"] is False


async def test_a_key_of_another_project_is_refused(
    project: Project, server: LiveServer, http: httpx.AsyncClient, connect: Any
) -> None:
    other = await new_project(server, http)
    client = await connect(project.ws_url, other.key, welcome=False)
    assert (await client.closed())[0] == 4401


async def test_a_key_without_subscribe_scope_is_forbidden(project: Project, connect: Any) -> None:
    key, _ = await project.key_with({"publish": [">"]})
    client = await connect(project.ws_url, key, welcome=False)
    code, error = await client.closed()
    assert code == 4403
    assert error is not None
    assert error["code"] == "forbidden"


async def test_a_browser_may_pass_a_client_token_in_the_query(project: Project, connect: Any) -> None:
    minted = await project.http.post(
        f"/v1/projects/{project.id}/tokens",
        json={"user_id": "u1", "capabilities": {"subscribe": ["chat.>"]}},
        headers=project.headers,
    )
    assert minted.status_code == 201, minted.text
    client = await connect(f"{project.ws_url}?token={minted.json()['token']}")
    await client.subscribe("chat.room1")
    await project.publish("chat.room1", "hi")
    assert [e["data"] for e in await client.events(1)] == ["hi"]


async def test_unknown_paths_get_a_404_problem(server: LiveServer) -> None:
    with pytest.raises(websockets.InvalidStatus) as caught:
        await websockets.connect(f"{server.ws_url}/v1/nowhere")
    assert caught.value.response.status_code == 404


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scopes=st.dictionaries(
        st.sampled_from(["publish", "subscribe", "history"]),
        st.lists(st.sampled_from([">", "a.*", "a.b"]), min_size=1, max_size=2, unique=True),
        min_size=1,
    ),
    valid=st.booleans(),
)
def test_property_06_a_connection_opens_exactly_for_valid_credentials_with_subscribe(
    project: Project, frames: FrameValidator, scopes: dict[str, list[str]], valid: bool
) -> None:
    async def attempt() -> tuple[str, int | None]:
        async with httpx.AsyncClient(base_url=project.server.url, timeout=30) as http:
            p = Project(project.server, http, project.id, project.key, project.tenant_id, project.user_token)
            key, _ = await p.key_with(scopes)
            token = key if valid else key[:-4] + "xxxx"
            async with websockets.connect(
                p.ws_url, additional_headers={"Authorization": f"Bearer {token}"}
            ) as ws:
                first = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
                frames.check(first)
                if first["type"] == "welcome":
                    return "welcome", None
                try:
                    await asyncio.wait_for(ws.recv(), 10)
                except ConnectionClosed as exc:
                    return first["code"], exc.rcvd.code if exc.rcvd else None
                raise AssertionError("the connection stayed open after an error frame")

    outcome = asyncio.run(attempt())
    if not valid:
        assert outcome == ("unauthenticated", 4401)
    elif "subscribe" in scopes:
        assert outcome == ("welcome", None)
    else:
        assert outcome == ("forbidden", 4403)


# --- delivery (property 7) ---------------------------------------------------------------------

_TOPICS = ["a.b", "a.c", "a.b.c", "x.y"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    patterns=st.lists(
        st.sampled_from(["a.*", "a.>", "a.b", ">", "x.*", "*.b"]), min_size=1, max_size=3, unique=True
    ),
    published=st.lists(st.sampled_from(_TOPICS), min_size=1, max_size=12),
)
def test_property_07_a_subscriber_gets_exactly_the_matching_events_in_order_once(
    project: Project, frames: FrameValidator, patterns: list[str], published: list[str]
) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=project.server.url, timeout=30) as http:
            p = Project(project.server, http, project.id, project.key, project.tenant_id, project.user_token)
            ws = await websockets.connect(p.ws_url, additional_headers={"Authorization": f"Bearer {p.key}"})
            client = Client(ws, frames)
            await client.expect("welcome")
            for pattern in patterns:
                await client.subscribe(pattern)
            marker = uuid.uuid4().hex
            sent = await p.publish_batch(
                [{"topic": t, "data": {"m": marker, "i": i}} for i, t in enumerate(published)]
            )
            expected = [
                s["cursor"]
                for s, t in zip(sent, published, strict=True)
                if any(topics.matches(p_, t) for p_ in patterns)
            ]
            # A last event every pattern set matches ends the wait (">"-free sets may match none).
            got = await client.events(len(expected)) if expected else []
            assert [e["cursor"] for e in got] == expected
            assert all(e["data"]["m"] == marker for e in got)
            await ws.close()

    asyncio.run(run())


async def test_one_burst_arrives_packed_in_events_frames_in_order(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    await client.subscribe("burst.>")
    sent = await project.publish_batch([{"topic": "burst.x", "data": i} for i in range(50)])
    frames_seen: list[str] = []
    got: list[dict[str, Any]] = []
    while len(got) < 50:
        frame = await client.recv()
        frames_seen.append(frame["type"])
        got += frame["events"] if frame["type"] == "events" else [frame]
    assert [e["cursor"] for e in got] == [s["cursor"] for s in sent]
    assert "events" in frames_seen
    assert len(frames_seen) < 50


async def test_unsubscribe_stops_delivery(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    await client.subscribe("u.a")
    await client.subscribe("u.b")
    await client.send({"type": "unsubscribe", "topic": "u.a", "id": "x"})
    assert (await client.expect("unsubscribed"))["id"] == "x"
    await project.publish("u.a", 1)
    await project.publish("u.b", 2)
    assert [e["data"] for e in await client.events(1)] == [2]


async def test_a_pattern_outside_the_capabilities_is_an_error_frame_and_the_connection_stays(
    project: Project, connect: Any
) -> None:
    key, _ = await project.key_with({"subscribe": ["public.>"]})
    client = await connect(project.ws_url, key)
    await client.send({"type": "subscribe", "topic": "private.x", "id": "s"})
    error = await client.expect("error")
    assert error["code"] == "forbidden"
    assert error["id"] == "s"
    await client.send({"type": "ping", "id": "p"})
    assert (await client.expect("pong"))["id"] == "p"


# --- resume by cursor ----------------------------------------------------------------------------


async def test_resume_replays_after_the_cursor_then_goes_live_without_gap_or_duplicate(
    project: Project, connect: Any
) -> None:
    sent = await project.publish_batch([{"topic": "r.x", "data": i} for i in range(20)])
    client = await connect(project.ws_url, project.key)
    sub = await client.subscribe("r.>", cursor=sent[4]["cursor"])
    assert sub["cursor"] == sent[4]["cursor"]
    # Live events published while the replay runs are merged in order.
    live = asyncio.create_task(project.publish_batch([{"topic": "r.x", "data": 100 + i} for i in range(10)]))
    got = await client.events(25)
    more = await live
    assert [e["cursor"] for e in got] == [s["cursor"] for s in sent[5:]] + [m["cursor"] for m in more]


async def test_a_cursor_older_than_retention_gets_a_reset_frame(project: Project, connect: Any) -> None:
    first = await project.publish("old.x", 0)
    response = await project.http.put(
        f"/v1/projects/{project.id}/retention",
        json={"max_age_seconds": 86400, "max_events": 3, "max_bytes": 1_048_576},
        headers=project.headers,
    )
    assert response.status_code == 200, response.text
    # Two batches: one of more than `max_events` is refused (413 retention_exceeded).
    kept = await project.publish_batch([{"topic": "old.x", "data": i} for i in range(1, 4)])
    kept += await project.publish_batch([{"topic": "old.x", "data": i} for i in range(4, 6)])
    client = await connect(project.ws_url, project.key)
    await client.subscribe("old.>", cursor=first["cursor"], id="r")
    reset = await client.expect("reset")
    assert reset["reason"] == "expired"
    assert reset["topic"] == "old.>"
    assert reset["id"] == "r"
    got = await client.events(3)
    assert [e["cursor"] for e in got] == [k["cursor"] for k in kept[-3:]]


async def test_a_forged_cursor_is_an_error_frame(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    await client.send({"type": "subscribe", "topic": "a", "cursor": "c1_" + "A" * 59, "id": "f"})
    error = await client.expect("error")
    assert error["code"] == "invalid_cursor"
    assert error["id"] == "f"
    await client.send({"type": "ping"})
    await client.expect("pong")


# --- durable subscriptions -----------------------------------------------------------------------


async def test_durable_events_are_redelivered_until_acknowledged(project: Project, connect: Any) -> None:
    created = await project.http.post(
        f"/v1/projects/{project.id}/subscriptions",
        json={"name": "jobs", "topic": "jobs.>", "ack_wait_seconds": 1},
        headers=project.headers,
    )
    assert created.status_code == 201, created.text
    client = await connect(project.ws_url, project.key)
    sub = await client.subscribe("jobs.>", durable="jobs")
    assert sub["durable"] == "jobs"
    sent = await project.publish_batch([{"topic": "jobs.a", "data": 1}, {"topic": "jobs.a", "data": 2}])
    first = await client.events(2)
    assert [e["cursor"] for e in first] == [s["cursor"] for s in sent]
    await client.send({"type": "ack", "durable": "jobs", "cursor": first[0]["cursor"]})
    # Only the unacknowledged one comes back after ack_wait.
    again = await client.events(1, timeout=15)
    assert again[0]["cursor"] == sent[1]["cursor"]
    await client.send({"type": "ack", "durable": "jobs", "cursor": again[0]["cursor"]})
    await client.send({"type": "ack", "durable": "jobs", "cursor": sent[0]["cursor"]})
    assert (await client.expect("error"))["code"] == "invalid_ack_token"


async def test_an_unknown_durable_is_refused(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    await client.send({"type": "subscribe", "topic": "a", "durable": "nope"})
    assert (await client.expect("error"))["code"] == "not_found"


# --- credentials ---------------------------------------------------------------------------------


def _issuer(settings: Settings) -> TokenIssuer:
    assert settings.token_secret is not None
    return TokenIssuer(settings.token_secret.get_secret_value().encode())


async def test_auth_replaces_the_token_without_dropping_subscriptions(
    project: Project, connect: Any, settings: Settings
) -> None:
    issuer = _issuer(settings)
    pid = uuid.UUID(project.id)
    token, _ = issuer.client_token(pid, "u", {"subscribe": ["t.>"]}, ttl=60)
    client = await connect(f"{project.ws_url}?token={token}")
    await client.subscribe("t.a")
    fresh, _ = issuer.client_token(pid, "u", {"subscribe": ["t.>"]}, ttl=3600)
    await client.send({"type": "auth", "token": fresh, "id": "a"})
    authed = await client.expect("authed")
    assert authed["id"] == "a"
    assert authed["expires_at"].startswith("20")
    await project.publish("t.a", "still here")
    assert [e["data"] for e in await client.events(1)] == ["still here"]


async def test_a_narrower_token_ends_the_subscriptions_it_no_longer_covers(
    project: Project, connect: Any, settings: Settings
) -> None:
    issuer = _issuer(settings)
    pid = uuid.UUID(project.id)
    token, _ = issuer.client_token(pid, "u", {"subscribe": [">"]}, ttl=60)
    client = await connect(f"{project.ws_url}?token={token}")
    await client.subscribe("keep.x")
    await client.subscribe("drop.x")
    narrow, _ = issuer.client_token(pid, "u", {"subscribe": ["keep.>"]}, ttl=60)
    await client.send({"type": "auth", "token": narrow})
    assert (await client.expect("unsubscribed"))["topic"] == "drop.x"
    await client.expect("authed")


async def test_an_expired_token_closes_with_4402(project: Project, connect: Any, settings: Settings) -> None:
    token, _ = _issuer(settings).client_token(uuid.UUID(project.id), "u", {"subscribe": [">"]}, ttl=2)
    client = await connect(f"{project.ws_url}?token={token}")
    await client.subscribe("a")
    code, error = await client.closed(timeout=15)
    assert code == 4402
    assert error is not None
    assert error["code"] == "token_expired"
    assert error["retry"] is True


async def test_an_invalid_auth_token_closes_the_connection(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    await client.send({"type": "auth", "token": "not-a-token"})
    assert (await client.closed())[0] == 4401


async def test_revoking_the_key_closes_its_connections_within_a_second(
    project: Project, connect: Any
) -> None:
    key, key_id = await project.key_with({"subscribe": [">"]})
    client = await connect(project.ws_url, key)
    other = await connect(project.ws_url, project.key)
    response = await project.http.delete(f"/v1/projects/{project.id}/keys/{key_id}", headers=project.headers)
    assert response.status_code in (200, 204), response.text
    code, error = await client.closed(timeout=1.0)
    assert code == 4401
    assert error is not None
    await other.send({"type": "ping"})
    await other.expect("pong")


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not json", 4400),
        ('{"type":"teleport"}', 4400),
        ("[1,2]", 4400),
        (b"\x00\x01binary", 4400),
        ('{"type":"subscribe","topic":"' + "a" * 20_000 + '"}', 4409),
    ],
)
async def test_bad_frames_close_with_their_registry_code_and_others_are_unaffected(
    project: Project, connect: Any, payload: str | bytes, code: int
) -> None:
    bystander = await connect(project.ws_url, project.key)
    await bystander.subscribe("calm")
    client = await connect(project.ws_url, project.key)
    await client.ws.send(payload)
    assert (await client.closed())[0] == code
    await project.publish("calm", "ok")
    assert [e["data"] for e in await bystander.events(1)] == ["ok"]


async def test_a_subscribe_flood_is_cut_with_rate_limited(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    for i in range(300):
        try:
            await client.send({"type": "subscribe", "topic": f"f.{i}"})
        except ConnectionClosed:
            break
    code = None
    try:
        while True:
            await client.recv()
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
    assert code == 4429


async def test_too_many_subscriptions_is_an_error_frame(
    project: Project, connect: Any, settings: Settings
) -> None:
    client = await connect(project.ws_url, project.key)
    for i in range(settings.max_subscriptions):
        await client.subscribe(f"m.{i}")
    await client.send({"type": "subscribe", "topic": "m.over"})
    assert (await client.expect("error"))["code"] == "too_many_subscriptions"


async def test_a_half_open_handshake_is_dropped_and_serving_goes_on(project: Project, connect: Any) -> None:
    silent = socket.create_connection(("127.0.0.1", project.server.ws_port))
    try:
        silent.sendall(b"GET /v1/projects/" + project.id.encode() + b"/ws HTTP/1.1\r\nHost: x\r\n")
        client = await connect(project.ws_url, project.key)
        await client.send({"type": "ping"})
        await client.expect("pong")
    finally:
        silent.close()


async def test_connections_are_released_when_clients_leave(project: Project, connect: Any) -> None:
    before = sum(len(g.connections) for g in gateways())
    client = await connect(project.ws_url, project.key)
    await client.subscribe("gone.>")
    assert sum(len(g.connections) for g in gateways()) == before + 1
    await client.ws.close()
    await aeventually(lambda: sum(len(g.connections) for g in gateways()), before)
    assert all(uuid.UUID(project.id) not in g.hub.feeds for g in gateways())


async def test_acks_are_not_rate_limited_and_their_errors_echo_the_frame_id(
    project: Project, connect: Any
) -> None:
    created = await project.http.post(
        f"/v1/projects/{project.id}/subscriptions",
        json={"name": "many", "topic": "many.>"},
        headers=project.headers,
    )
    assert created.status_code == 201, created.text
    client = await connect(project.ws_url, project.key)
    await client.subscribe("many.>", durable="many")
    for i in range(300):  # three times the frame burst
        await client.send({"type": "ack", "durable": "many", "cursor": "c1_" + "A" * 59, "id": f"a{i}"})
    for i in range(300):
        error = await client.expect("error")
        assert error["code"] == "invalid_ack_token"
        assert error["id"] == f"a{i}"
    await client.send({"type": "ping", "id": "alive"})
    assert (await client.expect("pong"))["id"] == "alive"
