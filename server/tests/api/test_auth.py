"""`GET /v1/whoami`: API key authentication over the live server."""

from __future__ import annotations

import httpx
import pytest

from tidings_server.auth import apikeys
from tidings_server.testing.plugin import Demo


async def test_the_demo_key_introspects_to_its_tenant_and_project(
    http: httpx.AsyncClient, demo: Demo
) -> None:
    response = await http.get("/v1/whoami", headers={"authorization": f"Bearer {demo.api_key}"})
    assert response.status_code == 200
    body = response.json()
    parsed = apikeys.parse(demo.api_key)
    assert parsed is not None
    assert body["key_id"] == parsed.key_id
    assert body["credential"] == "api_key"
    assert set(body["scopes"]) == {"publish", "subscribe", "history", "admin"}


def _flip_last(key: str) -> str:
    return key[:-1] + ("A" if key[-1] != "A" else "B")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-key",
        "Bearer tdg_live_aaaaaaaaaaaa_" + "a" * 32,  # well-formed, unknown id
        "Bearer tdg_prod_aaaaaaaaaaaa_" + "a" * 32,  # unknown environment
    ],
)
async def test_bad_credentials_are_401_without_detail(http: httpx.AsyncClient, header: str | None) -> None:
    headers = {"authorization": header} if header is not None else {}
    response = await http.get("/v1/whoami", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


async def test_a_known_id_with_a_wrong_secret_is_401(http: httpx.AsyncClient, demo: Demo) -> None:
    response = await http.get("/v1/whoami", headers={"authorization": f"Bearer {_flip_last(demo.api_key)}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
