"""The realtime connection against a scripted gateway: what the client does when the server
closes, repeats itself, falls silent, or needs a fresh token — cases a healthy live server
rarely shows on demand."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import tidings
from support import Server, Sleeps
from support.gateway import FakeGateway, Session
from tidings.realtime import EventFrame, Subscription

PATIENCE = 10.0


async def take(sub: Subscription, count: int) -> list[EventFrame]:
    events: list[EventFrame] = []
    async with asyncio.timeout(PATIENCE):
        async for item in sub:
            assert item["type"] == "event"
            events.append(item)
            if len(events) == count:
                break
    return events


def numbers(events: list[EventFrame]) -> list[object]:
    return [e["data"]["n"] for e in events]  # type: ignore[call-overload,index]


async def stay(session: Session) -> None:
    """Answer pings until the client leaves."""
    try:
        while True:
            await session.expect("never")
    except Exception:  # noqa: BLE001 - the client closed: the session is over
        return


@pytest.fixture
async def gateway() -> AsyncIterator[FakeGateway]:
    fake = FakeGateway([])
    await fake.start()
    yield fake
    await fake.close()


def client_for(gateway: FakeGateway, sleeps: Sleeps, **options: object) -> tidings.Client:
    return tidings.Client(
        "http://127.0.0.1:9",  # no REST call is made
        realtime_url=gateway.url,
        retry=tidings.RetryPolicy(sleep=sleeps),
        **options,  # type: ignore[arg-type]
    )


async def test_a_reconnection_resumes_from_the_last_cursor_and_drops_repeats(
    gateway: FakeGateway, sleeps: Sleeps
) -> None:
    async def first(session: Session) -> None:
        await session.welcome()
        await session.subscribed(cursor="c0")
        await session.events(1, 2)
        await session.close(4001, "going_away")

    async def second(session: Session) -> None:
        await session.welcome()
        await session.subscribed(cursor="c2")
        await session.events(2, 3)  # 2 again: the server replayed a little too much
        await stay(session)

    gateway.script = [first, second]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        got = await take(sub, 3)
    assert numbers(got) == [1, 2, 3]
    resubscribe = gateway.sessions[1].received[0]
    assert resubscribe["type"] == "subscribe"
    assert resubscribe["cursor"] == "c2"
    assert rt.reconnects == 1
    assert len(sleeps.waits) == 1
    assert 0.0 <= sleeps.waits[0] < 0.25, "full jitter under the first backoff cap"
    assert gateway.sessions[0].authorization == "Bearer k"


async def test_before_any_event_the_resume_position_is_where_it_went_live(
    gateway: FakeGateway, sleeps: Sleeps
) -> None:
    async def first(session: Session) -> None:
        await session.welcome()
        await session.subscribed(cursor="c7")
        await session.close(1011)

    async def second(session: Session) -> None:
        await session.welcome()
        await session.subscribed()
        await session.events(8)
        await stay(session)

    gateway.script = [first, second]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 1)) == [8]
    assert gateway.sessions[1].received[0]["cursor"] == "c7"


@pytest.mark.parametrize(("close_code", "code"), [(4423, "tenant_suspended"), (4403, "forbidden")])
async def test_a_terminal_close_ends_the_subscriptions_without_reconnecting(
    gateway: FakeGateway, sleeps: Sleeps, close_code: int, code: str
) -> None:
    async def handler(session: Session) -> None:
        await session.welcome()
        await session.subscribed()
        await session.events(1)
        await session.send(type="error", code=code, message="stop", close_code=close_code, retry=False)
        await session.close(close_code, code)

    gateway.script = [handler]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        first = await anext(sub)
        with pytest.raises(tidings.ConnectionTerminated) as ended:
            await anext(sub)
        with pytest.raises(tidings.ConnectionTerminated):
            await rt.subscribe("other.*")
    assert first["type"] == "event"
    assert ended.value.close_code == close_code
    assert ended.value.code == code
    assert len(gateway.sessions) == 1


async def test_an_unknown_close_code_follows_the_error_frame(gateway: FakeGateway, sleeps: Sleeps) -> None:
    async def handler(session: Session) -> None:
        await session.welcome()
        await session.subscribed()
        await session.send(type="error", code="from_the_future", message="no", close_code=4999, retry=False)
        await session.close(4999)

    gateway.script = [handler]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        with pytest.raises(tidings.ConnectionTerminated):
            await anext(sub)


async def test_a_silent_socket_is_pinged_then_replaced(gateway: FakeGateway, sleeps: Sleeps) -> None:
    async def silent(session: Session) -> None:
        await session.welcome(heartbeat_ms=100)
        await session.subscribed()
        await session.events(1)
        # From here on: nothing, not even a pong (a dead path looks like this).
        try:
            while True:
                await session.recv()
        except Exception:  # noqa: BLE001 - the client gave up on us: over
            return

    async def healthy(session: Session) -> None:
        await session.welcome(heartbeat_ms=100)
        await session.subscribed()
        await session.events(2)
        await stay(session)

    gateway.script = [silent, healthy]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 2)) == [1, 2]
    assert {"type": "ping"} in gateway.sessions[0].received, "a ping first, in case it was only idle"
    assert rt.reconnects == 1


def fake_jwt(exp: float, n: int) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'sub': 'u', 'exp': int(exp), 'n': n})}.sig"


async def test_a_token_is_replaced_on_the_open_socket_before_it_expires(
    gateway: FakeGateway, sleeps: Sleeps
) -> None:
    issued: list[str] = []

    async def provider() -> str:
        issued.append(fake_jwt(time.time() + 2, len(issued)))
        return issued[-1]

    async def handler(session: Session) -> None:
        await session.welcome()
        await session.subscribed()
        auth = await session.expect("auth")
        await session.send(type="authed", id=auth["id"], expires_at="2099-01-01T00:00:00Z")
        await session.events(1)
        await stay(session)

    gateway.script = [handler]
    async with client_for(gateway, sleeps, token_provider=provider) as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 1)) == [1]
    session = gateway.sessions[0]
    assert session.authorization == f"Bearer {issued[0]}"
    auth = next(f for f in session.received if f["type"] == "auth")
    assert auth["token"] == issued[1]
    assert rt.token_refreshes == 1
    assert rt.reconnects == 0
    assert len(issued) == 2, "the far expiry in `authed` schedules no further refresh"


async def test_a_refused_subscription_raises_and_the_connection_stays(
    gateway: FakeGateway, sleeps: Sleeps
) -> None:
    async def handler(session: Session) -> None:
        await session.welcome()
        refused = await session.expect("subscribe")
        await session.send(type="error", id=refused["id"], code="too_many_subscriptions", message="full")
        await session.subscribed()
        await session.events(5)
        await stay(session)

    gateway.script = [handler]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        with pytest.raises(tidings.SubscriptionError) as refused:
            await rt.subscribe("a.*")
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 1)) == [5]
    assert refused.value.code == "too_many_subscriptions"


async def test_durable_subscriptions_resubscribe_by_name_and_ack_by_cursor(
    gateway: FakeGateway, sleeps: Sleeps
) -> None:
    async def first(session: Session) -> None:
        await session.welcome()
        await session.subscribed(cursor=None)
        await session.send(type="event", durable="w", **{**_event(1), "topic": "jobs.a"})
        await session.expect("ack")
        await session.close(1001)

    async def second(session: Session) -> None:
        await session.welcome()
        await session.subscribed(cursor=None)
        await session.send(type="event", durable="w", **{**_event(1), "topic": "jobs.a"})
        await stay(session)

    gateway.script = [first, second]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        sub = await rt.subscribe("jobs.*", durable="w")
        (job,) = await take(sub, 1)
        await sub.ack(job)
        (again,) = await take(sub, 1)
    assert again["cursor"] == job["cursor"], "a durable subscription keeps a redelivery"
    assert gateway.sessions[0].received[-1] == {"type": "ack", "durable": "w", "cursor": "c1"}
    assert gateway.sessions[1].received[0] == {
        "type": "subscribe",
        "topic": "jobs.*",
        "id": "s2",
        "durable": "w",
    }


async def test_sse_resumes_from_the_position_the_stream_opened_at(server: Server, sleeps: Sleeps) -> None:
    """A stream that announces its position (`id:` without data) before any event: a drop then
    resumes from there, not from "now"."""

    async def first(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"retry: 2000\nid: c5\n\n: ok\n\n")
        return response  # and the stream ends

    done = asyncio.Event()

    async def second(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        record = json.dumps({"type": "event", **_event(6)})
        await response.write(f": ok\n\nid: c6\nevent: event\ndata: {record}\n\n".encode())
        await done.wait()
        return response

    server.script = [first, second]
    sdk = tidings.Client(server.url, api_key="k", retry=tidings.RetryPolicy(sleep=sleeps))
    async with sdk, sdk.realtime("p1", transport="sse") as rt:
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 1)) == [6]
    done.set()
    assert "Last-Event-ID" not in server.requests[0].headers
    assert server.requests[1].headers["Last-Event-ID"] == "c5"
    assert rt.reconnects == 1


async def test_auto_falls_back_to_sse_when_the_endpoint_does_not_upgrade(server: Server) -> None:
    done = asyncio.Event()

    async def routes(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/ws"):
            return web.json_response(
                {"type": "t", "title": "Not Found", "status": 404, "code": "not_found"}, status=404
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n: ok\n\n")
        record = json.dumps({"type": "event", **_event(1)})
        await response.write(f"id: c1\nevent: event\ndata: {record}\n\n".encode())
        await done.wait()
        return response

    server.script = [routes]
    async with tidings.Client(server.url, api_key="k") as sdk, sdk.realtime("p1") as rt:
        assert rt.transport == "sse"
        sub = await rt.subscribe("orders.*")
        assert numbers(await take(sub, 1)) == [1]
    done.set()
    stream = server.requests[-1]
    assert stream.path == "/v1/projects/p1/stream"
    assert stream.query.getall("topic") == ["orders.*"]
    assert stream.headers["Authorization"] == "Bearer k"


def _event(n: int) -> dict[str, object]:
    return {
        "id": f"e{n}",
        "topic": "orders.created",
        "data": {"n": n},
        "published_at": "x",
        "cursor": f"c{n}",
    }


async def test_subscribing_needs_an_open_connection(sleeps: Sleeps) -> None:
    async with tidings.Client("http://127.0.0.1:9", api_key="k") as sdk:
        rt = sdk.realtime("p1", transport="websocket")
        with pytest.raises(tidings.RealtimeError, match="open the connection first"):
            await rt.subscribe("orders.*")


async def test_a_subscribe_given_up_on_is_unsubscribed(gateway: FakeGateway, sleeps: Sleeps) -> None:
    unsubscribed = asyncio.Event()

    async def slow(session: Session) -> None:
        await session.welcome()
        await session.expect("subscribe")  # and never confirmed
        await session.expect("unsubscribe")
        unsubscribed.set()
        await stay(session)

    gateway.script = [slow]
    async with client_for(gateway, sleeps, api_key="k") as sdk, sdk.realtime("p1") as rt:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await rt.subscribe("orders.*")
        assert rt.subscriptions == {}
        async with asyncio.timeout(PATIENCE):
            await unsubscribed.wait()


async def test_websocket_only_gives_up_after_the_allowed_attempts(sleeps: Sleeps) -> None:
    sdk = tidings.Client("http://127.0.0.1:9", api_key="k", realtime_url="ws://127.0.0.1:9")
    with pytest.raises(tidings.APIConnectionError):
        async with (
            sdk,
            sdk.realtime(
                "p1",
                transport="websocket",
                max_reconnect_attempts=2,
                reconnect=tidings.RetryPolicy(sleep=sleeps),
            ),
        ):
            pass
    assert len(sleeps.waits) == 2
    assert sleeps.waits[1] < 0.5, "the second wait is drawn under a doubled cap"
