"""A tenant's web page on its own origin uses Tidings from headless Chromium (issue 21): the
SSE stream through `EventSource` with a query token, replay and publish through `fetch` with
`Authorization` (so with a preflight), and the WebSocket — events arrive when the page's origin
is in the project's `allowed_origins`; from any other origin the browser gets nothing (no CORS
grant: `EventSource` fails, `fetch` throws) and the WebSocket is closed with 4406."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Project, new_project

from .conftest import Site

pytestmark = pytest.mark.slow

OPEN_STREAM = """
async ({url}) => {
  window.received = [];
  const es = new EventSource(url);
  window.es = es;
  es.addEventListener('event', (e) => window.received.push(JSON.parse(e.data)));
  return await new Promise((resolve) => {
    es.onopen = () => resolve({open: true, readyState: es.readyState});
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) resolve({open: false, readyState: es.readyState});
    };
  });
}
"""

FETCH = """
async ({url, token, method, body}) => {
  const headers = {Authorization: 'Bearer ' + token};
  const init = {method: method || 'GET', headers};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = 'browser-' + Math.random().toString(36).slice(2);
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(url, init);
    return {
      status: response.status,
      body: await response.json(),
      requestId: response.headers.get('X-Request-ID'),
    };
  } catch (error) {
    return {error: String(error)};
  }
}
"""

OPEN_SOCKET = """
async ({url}) => await new Promise((resolve) => {
  const frames = [];
  window.wsFrames = frames;
  const ws = new WebSocket(url);
  window.ws = ws;
  ws.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    frames.push(frame);
    if (frame.type === 'welcome') ws.send(JSON.stringify({type: 'subscribe', topic: 'orders.>'}));
    if (frame.type === 'subscribed') resolve({frames});
  };
  ws.onclose = (event) => resolve({frames, closed: event.code});
})
"""

# The events a WebSocket page received, whether one per frame or packed (`events`).
WS_EVENTS = "window.wsFrames.flatMap(f => f.type === 'event' ? [f] : f.type === 'events' ? f.events : [])"


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
async def project(server: LiveServer, http: httpx.AsyncClient, tenant_site: Site) -> Project:
    made = await new_project(server, http)
    response = await http.patch(
        f"/v1/projects/{made.id}",
        json={"settings": {"allowed_origins": [tenant_site.origin]}},
        headers={"authorization": f"Bearer {made.user_token}"},
    )
    assert response.status_code == 200, response.text
    return made


async def client_token(project: Project) -> str:
    response = await project.http.post(
        f"/v1/projects/{project.id}/tokens",
        json={
            "user_id": "browser-user",
            "capabilities": {"subscribe": ["orders.>"], "history": ["orders.>"], "publish": ["orders.>"]},
        },
        headers=project.headers,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


async def open_page(browser: Browser, site: Site) -> Page:
    page = await browser.new_page()
    await page.goto(site.origin + "/")
    return page


async def test_a_page_on_an_allowed_origin_streams_replays_and_publishes(
    browser: Browser, server: LiveServer, project: Project, tenant_site: Site
) -> None:
    token = await client_token(project)
    page = await open_page(browser, tenant_site)
    base = f"{server.url}/v1/projects/{project.id}"

    stream = await page.evaluate(OPEN_STREAM, {"url": f"{base}/stream?topic=orders.>&token={token}"})
    assert stream == {"open": True, "readyState": 1}
    socket = await page.evaluate(
        OPEN_SOCKET, {"url": f"{server.ws_url}/v1/projects/{project.id}/ws?token={token}"}
    )
    assert "closed" not in socket, socket
    assert [f["type"] for f in socket["frames"]] == ["welcome", "subscribed"]

    # Publish from the page itself: POST with JSON and Idempotency-Key needs a preflight.
    published = await page.evaluate(
        FETCH,
        {
            "url": f"{base}/events",
            "token": token,
            "method": "POST",
            "body": {"topic": "orders.created", "data": {"n": 1}},
        },
    )
    assert published["status"] == 201, published
    assert published["requestId"], "X-Request-ID is exposed to the page"
    await project.publish("orders.shipped", {"n": 2})

    await page.wait_for_function("window.received.length >= 2")
    received = await page.evaluate("window.received")
    assert [e["topic"] for e in received] == ["orders.created", "orders.shipped"]
    await page.wait_for_function(f"{WS_EVENTS}.length >= 2")
    ws_events = await page.evaluate(WS_EVENTS)
    assert [e["topic"] for e in ws_events] == ["orders.created", "orders.shipped"]

    replay = await page.evaluate(FETCH, {"url": f"{base}/events?topic=orders.>&limit=10", "token": token})
    assert replay["status"] == 200, replay
    assert [e["topic"] for e in replay["body"]["items"]] == ["orders.created", "orders.shipped"]

    # An error is readable too (problem+json with the CORS grant).
    refused = await page.evaluate(FETCH, {"url": f"{base}/events?topic=payments.>", "token": token})
    assert refused["status"] == 403, refused
    assert refused["body"]["code"] == "forbidden"
    await page.close()


async def test_a_page_on_a_foreign_origin_gets_nothing(
    browser: Browser, server: LiveServer, project: Project, foreign_site: Site
) -> None:
    token = await client_token(project)
    page = await open_page(browser, foreign_site)
    base = f"{server.url}/v1/projects/{project.id}"

    stream = await page.evaluate(OPEN_STREAM, {"url": f"{base}/stream?topic=orders.>&token={token}"})
    assert stream == {"open": False, "readyState": 2}
    replay = await page.evaluate(FETCH, {"url": f"{base}/events?topic=orders.>&limit=1", "token": token})
    assert "Failed to fetch" in replay.get("error", ""), replay
    published = await page.evaluate(
        FETCH,
        {"url": f"{base}/events", "token": token, "method": "POST", "body": {"topic": "orders.x", "data": 1}},
    )
    assert "error" in published, published
    socket: dict[str, Any] = await page.evaluate(
        OPEN_SOCKET, {"url": f"{server.ws_url}/v1/projects/{project.id}/ws?token={token}"}
    )
    assert socket["closed"] == 4406, socket
    assert [(f["type"], f.get("code")) for f in socket["frames"]] == [("error", "origin_not_allowed")]
    await page.close()

    # Nothing the foreign page sent was stored.
    stored = await project.http.get(
        f"/v1/projects/{project.id}/events", params={"topic": ">"}, headers=project.headers
    )
    assert stored.json()["items"] == []
