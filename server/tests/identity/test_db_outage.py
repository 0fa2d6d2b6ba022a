"""PostgreSQL away longer than the credential caches (issue 12, items 4 and 5): known API keys
keep working (stale while error, bounded), unknown ones get 503 `dependency_unavailable` with
`Retry-After` on REST (never connexion's 401), SSE (problem+json, never a plain-text 500) and
WebSocket (close 4503), and the outage is logged once per interval, not a traceback per try."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
import pytest
import websockets

from tidings_server.config import Settings, load_settings
from tidings_server.testing.faultproxy import FaultProxy
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.plugin import Demo

pytestmark = pytest.mark.usefixtures("demo")


def _through(settings: Settings, proxy_port: int, **overrides: object) -> Settings:
    assert settings.database_url is not None
    parts = urlsplit(settings.database_url.get_secret_value())
    netloc = parts.netloc.rsplit(":", 1)[0] + f":{proxy_port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    return settings.model_copy(
        update={"database_url": load_settings(database_url=url).database_url, **overrides}
    )


@pytest.fixture
def proxy(settings: Settings) -> Iterator[FaultProxy]:
    assert settings.database_url is not None
    port = urlsplit(settings.database_url.get_secret_value()).port
    assert port is not None
    with FaultProxy(("127.0.0.1", port)).running() as running:
        yield running


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "dependency_unavailable"
    assert int(response.headers["retry-after"]) >= 1


def _never_seen_key(key: str) -> str:
    # Same shape, another key id: the node has never read it.
    parts = key.split("_")
    parts[2] = "a" * 12
    return "_".join(parts)


async def test_outage_longer_than_the_cache_serves_known_keys_and_503s_unknown_ones(
    settings: Settings, demo: Demo, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    own = _through(settings, proxy.port, credential_cache_ttl=0.001, credential_stale_ttl=600)
    with live_server(own) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            assert (await http.get("/v1/whoami", headers=_auth(demo.api_key))).status_code == 200
            proxy.cut()
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                # Past the cache TTL (1 ms) by far: the known key keeps working...
                for _ in range(5):
                    known = await http.get("/v1/whoami", headers=_auth(demo.api_key))
                    assert known.status_code == 200, known.text
                # ...and a key the node never read is 503 with Retry-After, never 401.
                stranger = _never_seen_key(demo.api_key)
                for _ in range(20):
                    _unavailable(await http.get("/v1/whoami", headers=_auth(stranger)))
                publish = await http.post(
                    f"/v1/projects/{await _project_id(http, demo)}/events",
                    headers=_auth(stranger),
                    json={"topic": "orders.created", "data": {}},
                )
                _unavailable(publish)
                # A new SSE stream: problem+json 503 (was a plain-text 500).
                for _ in range(10):
                    stream = await http.get(
                        f"/v1/projects/{await _project_id(http, demo)}/stream",
                        params={"topic": ">"},
                        headers=_auth(stranger),
                    )
                    _unavailable(stream)
                # WebSocket: close 4503 with an error frame (was a traceback per attempt).
                for _ in range(10):
                    await _ws_refused_4503(server, await _project_id(http, demo), stranger)
            _logged_once_per_interval(caplog)
            proxy.pass_through()
            assert (await http.get("/readyz")).status_code in (200, 503)


_PROJECT: dict[str, str] = {}


async def _project_id(http: httpx.AsyncClient, demo: Demo) -> str:
    # whoami with the (cached) demo key names its project.
    if "id" not in _PROJECT:
        body = (await http.get("/v1/whoami", headers=_auth(demo.api_key))).json()
        _PROJECT["id"] = body["project_id"]
    return _PROJECT["id"]


async def _ws_refused_4503(server: LiveServer, project_id: str, key: str) -> None:
    async with websockets.connect(
        f"{server.ws_url}/v1/projects/{project_id}/ws", additional_headers=_auth(key)
    ) as ws:
        frame = orjson.loads(await ws.recv())
        assert frame["type"] == "error"
        assert frame["code"] == "dependency_unavailable"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4503


# The request and handshake paths. Background workers that write to PostgreSQL on a timer
# (usage flush, billing sweep) report their own failed runs; they are not per attempt.
_REQUEST_PATHS = (
    "tidings_server.app",
    "tidings_server.auth",
    "tidings_server.identity",
    "tidings_server.realtime",
    "tidings_server.store",
    "tidings_server.middleware",
    "tidings.access",
    "websockets",
    "uvicorn",
)


def _logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    ours = [r for r in caplog.records if r.name.startswith(_REQUEST_PATHS)]
    tracebacks = [r for r in ours if r.exc_info]
    assert not tracebacks, [f"{r.name}: {r.getMessage()}" for r in tracebacks]
    errors = [r for r in ours if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors]
    outage = [r for r in caplog.records if "PostgreSQL is unavailable" in r.getMessage()]
    # 45 failing attempts in a few seconds: one warning per kind of caller, not one per attempt.
    assert 1 <= len(outage) <= 6, [r.getMessage() for r in outage]


async def test_without_stale_serving_a_known_key_is_503_not_401(
    settings: Settings, demo: Demo, proxy: FaultProxy
) -> None:
    own = _through(settings, proxy.port, credential_cache_ttl=0.001, credential_stale_ttl=0)
    with live_server(own) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            assert (await http.get("/v1/whoami", headers=_auth(demo.api_key))).status_code == 200
            proxy.cut()
            _unavailable(await http.get("/v1/whoami", headers=_auth(demo.api_key)))
            proxy.pass_through()
