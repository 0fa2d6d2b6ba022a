"""The input half of the attack suite: hostile input of every class, against a live server.

The cases are derived from spec/openapi.yaml (tidings_server.testing.attack), not listed by
hand: every operation, every parameter, every numeric field of every request body. A parameter
or field added to the spec is attacked on the next run. Every case checks the documented answer
(status or close code, and problem+json with a registered code), and after it (`guard`) that
the server logged no traceback and `/readyz` is still 200.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tidings_server.config import Settings
from tidings_server.testing.attack import (
    INTEGER_QUERY_PARAMETERS,
    NUMERIC_BODY_FIELDS,
    PATH_PARAMETERS,
    STRING_PARAMETERS,
    LogCapture,
    Target,
)
from tidings_server.testing.live import LiveServer


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "string_parameter" in metafunc.fixturenames:
        metafunc.parametrize(
            "string_parameter",
            STRING_PARAMETERS,
            ids=[f"{op.id} {p['in']}:{p['name']}" for op, p in STRING_PARAMETERS],
        )
    if "path_parameter" in metafunc.fixturenames:
        metafunc.parametrize(
            "path_parameter", PATH_PARAMETERS, ids=[f"{op.id} {p['name']}" for op, p in PATH_PARAMETERS]
        )
    if "integer_parameter" in metafunc.fixturenames:
        metafunc.parametrize(
            "integer_parameter",
            INTEGER_QUERY_PARAMETERS,
            ids=[f"{op.id} {p['name']}" for op, p in INTEGER_QUERY_PARAMETERS],
        )
    if "numeric_field" in metafunc.fixturenames:
        metafunc.parametrize(
            "numeric_field", NUMERIC_BODY_FIELDS, ids=[f"{op.id} {ptr}" for op, ptr, _ in NUMERIC_BODY_FIELDS]
        )


# --- the live target --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(settings: Settings) -> Settings:
    # Hundreds of requests a second from one key: the rate limits are not what is attacked here.
    return settings.model_copy(
        update={"key_rate": 1e6, "key_burst": 10**6, "tenant_rate": 1e6, "tenant_burst": 10**6}
    )


@pytest.fixture(scope="module")
def target(server: LiveServer) -> Target:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        signup = http.post(
            "/v1/auth/signup",
            json={
                "email": "attack-input@example.com",
                "password": "attack-input-password",
                "name": "Attacker",
                "tenant": {"slug": "attack-input", "name": "Attack"},
            },
        )
        assert signup.status_code == 201, signup.text
        token = signup.json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        me = http.get("/v1/me", headers=auth).json()
        tenant = me["memberships"][0]["tenant_id"]
        project = http.post(
            f"/v1/tenants/{tenant}/projects", json={"slug": "attack", "name": "P"}, headers=auth
        )
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        scopes = {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]}
        key = http.post(f"/v1/projects/{project_id}/keys", json={"name": "k", "scopes": scopes}, headers=auth)
        assert key.status_code == 201, key.text
        return Target(server, tenant, project_id, me["id"], key.json()["key"], key.json()["key_id"], token)


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def server_log() -> Iterator[LogCapture]:
    handler = LogCapture()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture(autouse=True)
async def guard(server: LiveServer, server_log: LogCapture) -> Any:
    """After every case: no traceback in the server's log, and the server still ready."""
    yield
    assert server_log.tracebacks() == []
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
