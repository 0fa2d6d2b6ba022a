"""Helpers for event pipeline tests: a synchronous client of the live server bound to one
project (usable from Hypothesis tests), and fresh projects with their own keys."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer
from tidings_server.testing.plugin import Demo

_seq = itertools.count()


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    """The shared settings with the default 1 MiB body limit: a body may hold a batch, or one
    event over the 64 KiB event limit (the plugin's 64 KiB body limit would answer first)."""
    from tidings_server.testing import plugin

    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    return base.model_copy(update={"max_body_bytes": 1_048_576})


@dataclass
class Project:
    """A project with an all-powerful API key, reached through the live server."""

    http: httpx.Client
    id: str
    key: str
    user_token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}

    def publish(self, topic: str, data: Any, *, key: str | None = None, **headers: str) -> httpx.Response:
        return self.http.post(
            f"/v1/projects/{self.id}/events",
            json={"topic": topic, "data": data},
            headers={"authorization": f"Bearer {key or self.key}", **headers},
        )

    def publish_batch(self, events: list[dict[str, Any]], **headers: str) -> httpx.Response:
        return self.http.post(
            f"/v1/projects/{self.id}/events/batch",
            json={"events": events},
            headers={**self.headers, **headers},
        )

    def replay(self, **params: Any) -> httpx.Response:
        return self.http.get(f"/v1/projects/{self.id}/events", params=params, headers=self.headers)

    def replay_all(
        self, after: str | None = None, topic: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        if topic:
            params["topic"] = topic
        while True:
            response = self.replay(**params)
            assert response.status_code == 200, response.text
            body = response.json()
            events += body["items"]
            if not body["has_more"]:
                return events
            params["after"] = body["next_cursor"]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", self.headers)
        return self.http.request(method, f"/v1/projects/{self.id}{path}", **kwargs)


class Projects:
    def __init__(self, server: LiveServer, demo: Demo) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.demo = demo

    def demo_project(self) -> Project:
        who = self.http.get("/v1/whoami", headers={"authorization": f"Bearer {self.demo.api_key}"}).json()
        return Project(self.http, who["project_id"], self.demo.api_key)

    def new(self, scopes: dict[str, list[str]] | None = None) -> Project:
        """A new tenant (signed-up user) with one project and a key of `scopes` (default: all)."""
        return self._signup_project(scopes)

    def _signup_project(self, scopes: dict[str, list[str]] | None = None) -> Project:
        n = next(_seq)
        signup = self.http.post(
            "/v1/auth/signup",
            json={
                "email": f"ev{n}@example.com",
                "password": f"password-{n}-long-enough",
                "name": f"Ev {n}",
                "tenant": {"slug": f"ev-t{n}", "name": "T"},
            },
        )
        assert signup.status_code == 201, signup.text
        token = signup.json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        tenant_id = self.http.get("/v1/me", headers=auth).json()["memberships"][0]["tenant_id"]
        project = self.http.post(
            f"/v1/tenants/{tenant_id}/projects", json={"slug": "pr", "name": "P"}, headers=auth
        )
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        all_scopes = {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]}
        key = self.http.post(
            f"/v1/projects/{project_id}/keys",
            json={"name": "k", "scopes": scopes or all_scopes},
            headers=auth,
        )
        assert key.status_code == 201, key.text
        return Project(self.http, project_id, key.json()["key"], token)

    def key(self, project: Project, scopes: dict[str, list[str]]) -> str:
        response = self.http.post(
            f"/v1/projects/{project.id}/keys",
            json={"name": "scoped", "scopes": scopes},
            headers=project.headers,
        )
        assert response.status_code == 201, response.text
        key: str = response.json()["key"]
        return key

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def projects(server: LiveServer, demo: Demo) -> Iterator[Projects]:
    client = Projects(server, demo)
    yield client
    client.close()
