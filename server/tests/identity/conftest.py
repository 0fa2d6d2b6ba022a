"""Helpers for identity tests: real sign-ups, projects and keys through the live API."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tidings_server.testing.live import LiveServer

_seq = itertools.count()


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass
class Account:
    """A user who signed up, with the tenant they own."""

    email: str
    password: str
    access: str
    refresh: str
    tenant_id: str
    user_id: str
    projects: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.access)


class Api:
    """A thin synchronous client of the live server (usable from Hypothesis tests)."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)

    def signup(self, prefix: str = "u") -> Account:
        n = next(_seq)
        email, password = f"{prefix}{n}@example.com", f"password-{n}-long-enough"
        response = self.http.post(
            "/v1/auth/signup",
            json={
                "email": email,
                "password": password,
                "name": f"User {n}",
                "tenant": {"slug": f"{prefix}-t{n}", "name": "T"},
            },
        )
        assert response.status_code == 201, response.text
        session = response.json()
        me = self.http.get("/v1/me", headers=auth(session["access_token"])).json()
        return Account(
            email=email,
            password=password,
            access=session["access_token"],
            refresh=session["refresh_token"],
            tenant_id=me["memberships"][0]["tenant_id"],
            user_id=me["id"],
        )

    def project(self, account: Account, slug: str = "proj") -> str:
        response = self.http.post(
            f"/v1/tenants/{account.tenant_id}/projects",
            json={"slug": slug, "name": slug},
            headers=account.headers,
        )
        assert response.status_code == 201, response.text
        project_id: str = response.json()["id"]
        account.projects[slug] = project_id
        return project_id

    def key(
        self, account: Account, project_id: str, scopes: dict[str, list[str]] | None = None, **extra: Any
    ) -> dict[str, Any]:
        response = self.http.post(
            f"/v1/projects/{project_id}/keys",
            json={
                "name": "k",
                "scopes": scopes or {"publish": [">"], "subscribe": [">"], "admin": [">"]},
                **extra,
            },
            headers=account.headers,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def join(self, owner: Account, member: Account, role: str) -> None:
        invite = self.http.post(
            f"/v1/tenants/{owner.tenant_id}/invitations",
            json={"email": member.email, "role": role},
            headers=owner.headers,
        )
        assert invite.status_code == 201, invite.text
        accepted = self.http.post(
            "/v1/invitations/accept", json={"token": invite.json()["token"]}, headers=member.headers
        )
        assert accepted.status_code == 200, accepted.text

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def api(server: LiveServer) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.close()
