"""The runtime against a real local HTTP server: auth, retries, idempotency, errors, pagination."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import tidings
from support import Server, Sleeps, empty_answer, json_answer, problem

HEALTH = {"status": "ok"}
TENANT = {"id": "t1", "slug": "acme", "name": "Acme", "status": "active", "plan": "free", "created_at": "x"}


async def drop_connection(request: web.Request) -> web.StreamResponse:
    # Close the socket without answering: what a crashed node or a reset looks like.
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(0.1)
    return web.Response()


async def test_credential_is_sent_only_to_secured_operations(server: Server, client: tidings.Client) -> None:
    server.script = [json_answer(HEALTH)]
    assert await client.healthz() == HEALTH
    assert "Authorization" not in server.requests[0].headers
    server.script = [json_answer({"credential": "api_key", "subject": "key:abc"})]
    whoami = await client.whoami()
    assert whoami["credential"] == "api_key"
    assert server.requests[1].headers["Authorization"] == "Bearer tdg_live_abcdefghijkl_secret"


async def test_token_provider_is_asked_before_every_attempt(server: Server, sleeps: Sleeps) -> None:
    tokens = iter(["jwt-1", "jwt-2"])

    async def provider() -> str:
        return next(tokens)

    server.script = [
        problem(503, "dependency_unavailable"),
        json_answer({"credential": "user", "subject": "u"}),
    ]
    async with tidings.Client(
        server.url, token_provider=provider, retry=tidings.RetryPolicy(sleep=sleeps)
    ) as c:
        await c.me()
    assert [r.headers["Authorization"] for r in server.requests] == ["Bearer jwt-1", "Bearer jwt-2"]


async def test_a_sync_token_provider_works_too(server: Server) -> None:
    server.script = [json_answer({"credential": "client_token", "subject": "u"})]
    async with tidings.Client(server.url, token_provider=lambda: "jwt-sync") as c:
        await c.whoami()
    assert server.requests[0].headers["Authorization"] == "Bearer jwt-sync"


async def test_retry_after_is_honoured_and_the_idempotency_key_reused(
    server: Server, client: tidings.Client, sleeps: Sleeps
) -> None:
    server.script = [
        problem(429, "rate_limited", {"Retry-After": "2"}),
        problem(503, "dependency_unavailable"),
        json_answer(TENANT, 201),
    ]
    tenant = await client.create_tenant({"slug": "acme", "name": "Acme"})
    assert tenant["slug"] == "acme"
    assert len(server.requests) == 3
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert len(keys) == 1, "every retry of one call carries the same key"
    assert sleeps.waits[0] == 2.0  # Retry-After, not the backoff
    assert 0.0 <= sleeps.waits[1] < 0.5  # full jitter under base_delay * 2
    assert server.bodies[0] == b'{"slug":"acme","name":"Acme"}'

    server.script = [json_answer(TENANT, 201)]
    await client.create_tenant({"slug": "acme", "name": "Acme"})
    assert server.requests[-1].headers["Idempotency-Key"] not in keys, "a new call gets a new key"


async def test_a_dropped_connection_is_retried_with_the_same_key(
    server: Server, client: tidings.Client
) -> None:
    server.script = [drop_connection, json_answer(TENANT, 201)]
    await client.create_project("t1", {"slug": "web", "name": "Web"}, options={"idempotency_key": "mine"})
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["mine", "mine"]


async def test_an_explicit_idempotency_key_is_the_only_one_sent_on_every_retry(
    server: Server, client: tidings.Client
) -> None:
    """publish_event's `idempotency_key` argument (a header of the operation) is the call's key:
    a process that restarts and publishes again with it is deduplicated by the server."""
    server.script = [drop_connection, json_answer({"id": "e1"}, 201)]
    await client.publish_event("p1", {"topic": "t", "data": 1}, idempotency_key="order-42")
    assert [r.headers.getall("Idempotency-Key") for r in server.requests] == [["order-42"], ["order-42"]]


async def test_an_omitted_optional_header_is_not_sent_as_none(server: Server, client: tidings.Client) -> None:
    server.script = [json_answer({"id": "e1"}, 201)]
    await client.publish_event("p1", {"topic": "t", "data": 1})
    sent = server.requests[0].headers.getall("Idempotency-Key")
    assert len(sent) == 1
    assert sent[0] != "None"


async def test_safe_methods_carry_no_idempotency_key(server: Server, client: tidings.Client) -> None:
    server.script = [json_answer(TENANT)]
    await client.get_tenant("t1")
    assert "Idempotency-Key" not in server.requests[0].headers


async def test_client_errors_are_not_retried(server: Server, client: tidings.Client) -> None:
    server.script = [problem(404, "not_found", {"X-Request-ID": "req-42"}, detail="no tenant t9")]
    with pytest.raises(tidings.NotFoundError) as caught:
        await client.get_tenant("t9")
    assert len(server.requests) == 1
    assert caught.value.code == "not_found"
    assert caught.value.request_id == "req-42"
    assert caught.value.problem is not None
    assert caught.value.problem["detail"] == "no tenant t9"


async def test_retries_stop_at_the_limit_with_a_typed_error(
    server: Server, client: tidings.Client, sleeps: Sleeps
) -> None:
    server.script = [problem(429, "rate_limited", {"Retry-After": "1"})]
    with pytest.raises(tidings.RateLimitError) as caught:
        await client.get_tenant("t1")
    assert len(server.requests) == 1 + client.retry.max_retries
    assert caught.value.retry_after == 1.0
    assert sleeps.waits == [1.0] * client.retry.max_retries


async def test_unreachable_server_raises_connection_error(sleeps: Sleeps) -> None:
    async with tidings.Client(
        "http://127.0.0.1:1", retry=tidings.RetryPolicy(max_retries=2, sleep=sleeps)
    ) as c:
        with pytest.raises(tidings.APIConnectionError):
            await c.healthz()
    assert len(sleeps.waits) == 2


async def test_a_slow_answer_times_out(server: Server) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.json_response(HEALTH)

    server.script = [slow]
    async with tidings.Client(server.url, timeout=0.2, retry=tidings.RetryPolicy(max_retries=0)) as c:
        with pytest.raises(tidings.APITimeoutError):
            await c.healthz()


async def test_path_parameters_are_percent_encoded(server: Server, client: tidings.Client) -> None:
    server.script = [empty_answer(204)]
    await client.remove_member("a/b c", "ü?")
    assert server.requests[0].raw_path == "/v1/tenants/a%2Fb%20c/members/%C3%BC%3F"
    assert server.requests[0].method == "DELETE"


async def test_iterating_follows_next_cursor(server: Server, client: tidings.Client) -> None:
    server.script = [
        json_answer({"items": [TENANT, {**TENANT, "id": "t2"}], "next_cursor": "c1"}),
        json_answer({"items": [{**TENANT, "id": "t3"}]}),
    ]
    ids = [t["id"] async for t in client.iter_tenants(limit=2)]
    assert ids == ["t1", "t2", "t3"]
    assert [dict(r.query) for r in server.requests] == [{"limit": "2"}, {"limit": "2", "after": "c1"}]


async def test_a_success_that_is_not_json_is_a_response_error(server: Server, client: tidings.Client) -> None:
    async def html(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>", content_type="text/html")

    server.script = [html]
    with pytest.raises(tidings.APIResponseError):
        await client.version()


def test_one_credential_at_most() -> None:
    with pytest.raises(ValueError, match="at most one"):
        tidings.Client("http://x", api_key="a", token="b")
