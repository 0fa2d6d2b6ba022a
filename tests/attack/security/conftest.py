"""The security half of the attack suite: two tenants on one live server, every credential kind
of the attacker (tenant A) and the victim's resources (tenant B), raw HTTP / WebSocket / SSE.

Every test is checked by `_no_traceback_and_still_ready`: nothing logged at ERROR or with a
traceback while it ran, and `/readyz` still 200 after it.
"""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest

from tidings_server.testing.live import LiveServer

_seq = itertools.count()

FULL = {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]}
NARROW = {"admin": [">"], "publish": ["orders.>"], "subscribe": ["orders.>"]}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass
class Tenant:
    """A signed-up owner, their tenant and one project with one of everything in it."""

    email: str
    password: str
    access: str
    user_id: str
    tenant_id: str
    project_id: str = ""
    full_key: str = ""
    full_key_id: str = ""
    narrow_key: str = ""
    client_token: str = ""
    kid: str = ""
    signing_secret: str = ""
    schema_id: str = ""
    subscription: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def signed_token(self, cap: dict[str, list[str]] | None = None, **claims: Any) -> str:
        """A client token signed by the tenant's backend with its registered HS256 key."""
        payload: dict[str, Any] = {
            "aud": f"project:{self.project_id}",
            "sub": "end-user-1",
            "cap": cap or {"subscribe": [">"], "publish": [">"], "history": [">"]},
            "exp": int(time.time()) + 600,
        }
        payload.update(claims)
        return jwt.encode(payload, self.signing_secret.encode(), algorithm="HS256", headers={"kid": self.kid})

    def credentials(self) -> dict[str, str]:
        """Every credential kind this tenant holds."""
        return {
            "owner_session": self.access,
            "api_key_full": self.full_key,
            "api_key_narrow": self.narrow_key,
            "client_token": self.client_token,
            "signed_token": self.signed_token(),
        }


def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def make_user(http: httpx.Client, prefix: str) -> Tenant:
    n = next(_seq)
    email, password = f"{prefix}{n}-{uuid.uuid4().hex[:6]}@example.com", f"password-{n}-long-enough"
    session = _ok(
        http.post(
            "/v1/auth/signup",
            json={
                "email": email,
                "password": password,
                "name": f"User {n}",
                "tenant": {"slug": f"{prefix}-{n}-{uuid.uuid4().hex[:6]}", "name": "T"},
            },
        )
    )
    me = _ok(http.get("/v1/me", headers=bearer(session["access_token"])), 200)
    return Tenant(
        email=email,
        password=password,
        access=session["access_token"],
        user_id=me["id"],
        tenant_id=me["memberships"][0]["tenant_id"],
    )


def make_tenant(http: httpx.Client, prefix: str) -> Tenant:
    t = make_user(http, prefix)
    owner = bearer(t.access)
    t.project_id = _ok(
        http.post(f"/v1/tenants/{t.tenant_id}/projects", json={"slug": "main", "name": "main"}, headers=owner)
    )["id"]
    full = _ok(
        http.post(f"/v1/projects/{t.project_id}/keys", json={"name": "full", "scopes": FULL}, headers=owner)
    )
    t.full_key, t.full_key_id = full["key"], full["key_id"]
    t.narrow_key = _ok(
        http.post(
            f"/v1/projects/{t.project_id}/keys", json={"name": "narrow", "scopes": NARROW}, headers=owner
        )
    )["key"]
    t.client_token = _ok(
        http.post(
            f"/v1/projects/{t.project_id}/tokens",
            json={"user_id": "end-user-1", "capabilities": {"subscribe": [">"], "publish": [">"]}},
            headers=bearer(t.full_key),
        )
    )["token"]
    signing = _ok(
        http.post(
            f"/v1/projects/{t.project_id}/signing-keys",
            json={"kid": "backend-1", "alg": "HS256"},
            headers=owner,
        )
    )
    t.kid, t.signing_secret = signing["kid"], signing["secret"]
    t.schema_id = _ok(
        http.post(
            f"/v1/projects/{t.project_id}/schemas",
            json={"topic": "orders.created", "schema": {"type": "object"}},
            headers=owner,
        )
    )["id"]
    t.subscription = _ok(
        http.post(
            f"/v1/projects/{t.project_id}/subscriptions",
            json={"name": "billing-worker", "topic": "orders.>"},
            headers=owner,
        )
    )["name"]
    _ok(
        http.post(
            f"/v1/projects/{t.project_id}/events",
            json={"topic": "orders.created", "data": {"secret": prefix}},
            headers=bearer(t.full_key),
        )
    )
    return t


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def attacker(http: httpx.Client) -> Tenant:
    return make_tenant(http, "atk")


@pytest.fixture(scope="module")
def victim(http: httpx.Client) -> Tenant:
    return make_tenant(http, "vic")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.bad: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(record)


@pytest.fixture(autouse=True)
def _no_traceback_and_still_ready(server: LiveServer) -> Iterator[None]:
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    try:
        yield
    finally:
        root.removeHandler(collect)
    assert not collect.bad, [f"{r.name}: {r.getMessage()}" for r in collect.bad]
    ready = httpx.get(f"{server.url}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text


def assert_problem(response: httpx.Response, status: int, *codes: str) -> None:
    """A problem+json answer with this status and one of these stable codes."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["code"] in codes, body
    assert body["status"] == status, body
