"""Liveness, readiness and version, against the live server and real dependencies."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tidings_server import __version__
from tidings_server.config import Settings, load_settings
from tidings_server.embedded import EmbeddedNats, free_port
from tidings_server.testing.live import live_server
from tidings_server.testing.waiting import aeventually


async def _status(http: httpx.AsyncClient, path: str) -> int:
    return (await http.get(path)).status_code


async def test_healthz_answers_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_each_dependency(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["jetstream"]["ok"] is True


async def test_version_names_server_and_api(http: httpx.AsyncClient) -> None:
    body = (await http.get("/version")).json()
    assert body["version"] == __version__
    assert body["api_version"] == "0.1.0"


async def test_readyz_is_503_naming_the_database_when_it_is_down(settings: Settings) -> None:
    closed = free_port()
    broken = settings.model_copy(
        update={
            "database_url": load_settings(database_url=f"postgresql://x:y@127.0.0.1:{closed}/x").database_url
        }
    )
    with live_server(broken) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"]
    assert body["checks"]["jetstream"]["ok"] is True


@pytest.mark.slow
async def test_readyz_is_503_when_jetstream_goes_away_and_200_when_it_is_back(
    settings: Settings, tmp_path: Path
) -> None:
    nats = EmbeddedNats(tmp_path / "nats")
    nats.start()
    own = settings.model_copy(update={"nats_url": nats.url, "readiness_timeout": 0.5})
    try:
        with live_server(own) as server:
            async with httpx.AsyncClient(base_url=server.url) as http:
                assert (await http.get("/readyz")).status_code == 200
                nats.stop()
                down = await http.get("/readyz")
                assert down.status_code == 503
                assert down.json()["checks"]["jetstream"]["ok"] is False
                assert down.json()["checks"]["database"]["ok"] is True
                # Same port and store: the client reconnects by itself.
                restarted = EmbeddedNats(tmp_path / "nats", port=nats.port)
                restarted.start()
                try:
                    await aeventually(
                        lambda: _status(http, "/readyz"), 200, message="readiness after NATS restarted"
                    )
                finally:
                    restarted.stop()
    finally:
        nats.stop()
