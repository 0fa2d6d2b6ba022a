"""The SSE stream against a live server: establishment (property 11), formatting (property 12),
resume by Last-Event-ID, and cleanup when the client goes away (property 14)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.realtime import gateway as gateway_mod
from tidings_server.testing.realtime import FrameValidator, Project
from tidings_server.testing.waiting import aeventually


class Stream:
    """An SSE reader: records as dicts (`id`, `event`, `data`, `retry`), comments skipped."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = self._sse_lines(response)

    @staticmethod
    async def _sse_lines(response: httpx.Response) -> AsyncIterator[str]:
        """Lines as SSE splits them: at CR, LF or CRLF only (httpx's `aiter_lines` also splits
        at U+2028 and the like, which JSON carries unescaped)."""
        pending = b""
        async for chunk in response.aiter_bytes():
            pending += chunk
            *lines, pending = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for line in lines:
                yield line.decode()

    async def record(self, timeout: float = 10.0) -> dict[str, str]:
        record: dict[str, str] = {}
        while True:
            line = await asyncio.wait_for(anext(self._lines), timeout)
            if line == "":
                if record:
                    return record
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            record[name] = value

    async def events(self, count: int, frames: FrameValidator) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        while len(got) < count:
            record = await self.record()
            if "event" not in record:
                continue
            frame = orjson.loads(record["data"])
            frames.check(frame)
            assert record["event"] == "event" == frame["type"]
            assert record["id"] == frame["cursor"]
            got.append(frame)
        return got


async def open_stream(
    http: httpx.AsyncClient, project: Project, *topics: str, **headers: str
) -> AsyncIterator[Stream]:
    params: list[tuple[str, str | int | float | bool | None]] = [("topic", t) for t in topics]
    async with http.stream(
        "GET", f"/v1/projects/{project.id}/stream", params=params, headers={**project.headers, **headers}
    ) as response:
        yield Stream(response)


def sse_connections() -> int:
    return sum(1 for g in gateway_mod._RUNNING for c in g.connections if c.transport == "sse")


async def test_property_11_a_stream_opens_with_the_retry_hint_and_event_stream_type(
    project: Project, http: httpx.AsyncClient
) -> None:
    async for stream in open_stream(http, project, "s.>"):
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["cache-control"].startswith("no-cache")
        first = await stream.record()
        assert int(first["retry"]) > 0
        break


@pytest.mark.parametrize(
    ("params", "headers", "status", "code"),
    [
        ([], None, 400, "validation_failed"),
        ([("topic", "a..b")], None, 400, "validation_failed"),
        ([("topic", "a")], {"authorization": "Bearer nope"}, 401, "unauthenticated"),
        ([("topic", "a"), ("cursor", "c1_bad")], None, 422, "invalid_cursor"),
    ],
)
async def test_property_11_refusals_before_the_stream_are_problems(
    project: Project,
    http: httpx.AsyncClient,
    params: list[tuple[str, str | int | float | bool | None]],
    headers: dict[str, str] | None,
    status: int,
    code: str,
) -> None:
    response = await http.get(
        f"/v1/projects/{project.id}/stream", params=params, headers=headers or project.headers
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_property_11_a_pattern_outside_the_capabilities_is_403(
    project: Project, http: httpx.AsyncClient
) -> None:
    key, _ = await project.key_with({"subscribe": ["public.>"]})
    response = await http.get(
        f"/v1/projects/{project.id}/stream",
        params={"topic": "private.x"},
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_a_client_token_in_the_query_opens_the_stream(
    project: Project, http: httpx.AsyncClient
) -> None:
    minted = await http.post(
        f"/v1/projects/{project.id}/tokens",
        json={"user_id": "u", "capabilities": {"subscribe": ["q.>"]}},
        headers=project.headers,
    )
    token = minted.json()["token"]
    async with http.stream("GET", f"/v1/projects/{project.id}/stream?topic=q.a&token={token}") as response:
        assert response.status_code == 200


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(
        st.one_of(st.integers(), st.text(max_size=20), st.none(), st.lists(st.booleans())),
        min_size=1,
        max_size=8,
    )
)
def test_property_12_each_event_is_one_record_with_its_cursor_as_id_and_the_event_frame_as_data(
    project: Project, frames: FrameValidator, data: list[Any]
) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=project.server.url, timeout=30) as http:
            p = Project(project.server, http, project.id, project.key, project.tenant_id, project.user_token)
            topic = f"p12.{uuid.uuid4().hex[:8]}"
            async for stream in open_stream(http, p, topic):
                await stream.record()  # the retry hint
                sent = await p.publish_batch([{"topic": topic, "data": d} for d in data])
                got = await stream.events(len(data), frames)
                assert [e["cursor"] for e in got] == [s["cursor"] for s in sent]
                assert [e["data"] for e in got] == data
                break

    asyncio.run(run())


async def test_last_event_id_resumes_after_that_cursor(
    project: Project, http: httpx.AsyncClient, frames: FrameValidator
) -> None:
    sent = await project.publish_batch([{"topic": "le.x", "data": i} for i in range(6)])
    async for stream in open_stream(http, project, "le.>", **{"last-event-id": sent[2]["cursor"]}):
        got = await stream.events(3, frames)
        assert [e["cursor"] for e in got] == [s["cursor"] for s in sent[3:]]
        break


async def test_property_14_a_client_that_goes_away_frees_everything(
    project: Project, http: httpx.AsyncClient
) -> None:
    before = sse_connections()
    async for stream in open_stream(http, project, "gone.>", "gone2.>"):
        await stream.record()
        assert sse_connections() == before + 1
        assert any(uuid.UUID(project.id) in g.hub.feeds for g in gateway_mod._RUNNING)
        break
    await aeventually(sse_connections, before)
    assert all(uuid.UUID(project.id) not in g.hub.feeds for g in gateway_mod._RUNNING)


async def test_a_token_in_the_query_is_never_logged(project: Project, http: httpx.AsyncClient) -> None:
    minted = await http.post(
        f"/v1/projects/{project.id}/tokens",
        json={"user_id": "u", "capabilities": {"subscribe": ["q.>"]}},
        headers=project.headers,
    )
    token = minted.json()["token"]
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    # Straight on the server's loggers (other tests may have changed propagation or levels).
    handler = Keep(logging.DEBUG)
    loggers = [
        logging.getLogger(n) for n in ("", "tidings", "tidings.access", "tidings_server", "websockets")
    ]
    saved = [(lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    try:
        async with http.stream(
            "GET", f"/v1/projects/{project.id}/stream?topic=q.a&token={token}"
        ) as response:
            assert response.status_code == 200
        refused = await http.get(f"/v1/projects/{project.id}/stream?topic=q.a&token={token}x")
        assert refused.status_code == 401
    finally:
        for lg, (level, disabled) in zip(loggers, saved, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.disabled = disabled
    # The client's own log lines, and uvicorn's access log (disabled by the server's logging
    # configuration, observability/logging.py), are not the server's.
    server_side = [r for r in records if not r.name.startswith(("httpx", "httpcore", "uvicorn.access"))]
    assert any("/stream" in r.getMessage() for r in server_side)
    leaks = [r.__dict__ for r in server_side if token in r.getMessage() or token in str(r.__dict__)]
    assert leaks == []


async def test_a_stream_without_cursor_starts_with_its_position_so_an_early_drop_loses_nothing(
    project: Project, http: httpx.AsyncClient, frames: FrameValidator
) -> None:
    async for stream in open_stream(http, project, "pos.>"):
        await stream.record()  # the retry hint
        position = await stream.record()
        assert set(position) == {"id"}
        assert position["id"].startswith("c1_")
        break
    # Dropped before any event; what was published meanwhile comes on resuming from the position.
    sent = await project.publish("pos.x", "meanwhile")
    async for stream in open_stream(http, project, "pos.>", **{"last-event-id": position["id"]}):
        assert [e["cursor"] for e in await stream.events(1, frames)] == [sent["cursor"]]
        break
