"""Checking realtime frames against the spec (spec/schemas/realtime.yaml), for tests and
benchmarks: every server frame a test receives goes through `FrameValidator.check`."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tidings_server.spec import error_registry, spec_dir
from tidings_server.testing.live import LiveServer

__all__ = ["ALL_SCOPES", "SERVER_FRAMES", "Client", "FrameValidator", "Project", "new_project"]

_seq = itertools.count()
ALL_SCOPES = {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]}

SERVER_FRAMES = {
    "welcome": "Welcome",
    "subscribed": "Subscribed",
    "unsubscribed": "Unsubscribed",
    "event": "EventFrame",
    "events": "EventsFrame",
    "reset": "Reset",
    "pong": "Pong",
    "authed": "Authed",
    "error": "ErrorFrame",
}


class FrameValidator:
    def __init__(self) -> None:
        schemas = spec_dir() / "schemas"
        resources = [
            (path.resolve().as_uri(), Resource.opaque(yaml.safe_load(path.read_text(encoding="utf-8"))))
            for path in schemas.glob("*.yaml")
        ]
        registry: Registry[Any] = Registry().with_resources(resources)
        base = (schemas / "realtime.yaml").resolve().as_uri()
        self._validators = {
            kind: Draft202012Validator({"$ref": f"{base}#/definitions/{name}"}, registry=registry)
            for kind, name in SERVER_FRAMES.items()
        }

    def check(self, frame: dict[str, Any]) -> None:
        """Raise unless `frame` is a server frame as the spec describes it (and an error frame's
        code is in the registry, with its close code)."""
        kind = frame.get("type")
        if kind not in self._validators:
            raise AssertionError(f"not a server frame type: {kind!r}")
        self._validators[str(kind)].validate(frame)
        if kind == "error":
            spec = error_registry().get(frame["code"])
            if spec is None:
                raise AssertionError(f"error code {frame['code']!r} is not in spec/errors.yaml")
            if "close_code" in frame and frame["close_code"] != spec.close_code:
                raise AssertionError(
                    f"{frame['code']} closes with {spec.close_code}, not {frame['close_code']}"
                )


@dataclass
class Project:
    server: LiveServer
    http: httpx.AsyncClient
    id: str
    key: str
    tenant_id: str
    user_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}

    @property
    def ws_url(self) -> str:
        return f"{self.server.ws_url}/v1/projects/{self.id}/ws"

    async def publish(self, topic: str, data: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"/v1/projects/{self.id}/events", json={"topic": topic, "data": data}, headers=self.headers
        )
        assert response.status_code in (200, 201, 202), response.text
        body: dict[str, Any] = response.json()
        return body

    async def publish_batch(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = await self.http.post(
            f"/v1/projects/{self.id}/events/batch", json={"events": events}, headers=self.headers
        )
        assert response.status_code in (200, 201, 202), response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def key_with(self, scopes: dict[str, list[str]]) -> tuple[str, str]:
        """A new API key of this project: (key, key id)."""
        response = await self.http.post(
            f"/v1/projects/{self.id}/keys", json={"name": "scoped", "scopes": scopes}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["key"], body["key_id"]


async def new_project(server: LiveServer, http: httpx.AsyncClient) -> Project:
    n = next(_seq)
    signup = await http.post(
        "/v1/auth/signup",
        json={
            "email": f"rt{n}@example.com",
            "password": f"password-{n}-long-enough",
            "name": f"Rt {n}",
            "tenant": {"slug": f"rt-t{n}", "name": "T"},
        },
    )
    assert signup.status_code == 201, signup.text
    token = signup.json()["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    tenant_id = (await http.get("/v1/me", headers=auth)).json()["memberships"][0]["tenant_id"]
    project = await http.post(
        f"/v1/tenants/{tenant_id}/projects", json={"slug": "pr", "name": "P"}, headers=auth
    )
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    key = await http.post(
        f"/v1/projects/{project_id}/keys", json={"name": "k", "scopes": ALL_SCOPES}, headers=auth
    )
    assert key.status_code == 201, key.text
    return Project(server, http, project_id, key.json()["key"], tenant_id, token)


@dataclass
class Client:
    """A WebSocket client that validates every server frame against the spec."""

    ws: ClientConnection
    validator: FrameValidator
    welcome: dict[str, Any] = field(default_factory=dict)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(orjson.dumps(frame).decode())

    async def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: dict[str, Any] = orjson.loads(raw)
        self.validator.check(frame)
        return frame

    async def expect(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        frame = await self.recv(timeout)
        assert frame["type"] == kind, frame
        return frame

    async def closed(self, timeout: float = 10.0) -> tuple[int | None, dict[str, Any] | None]:
        """Read until the server closes: (its close code, the last error frame before it)."""
        error = None
        while True:
            try:
                frame = await self.recv(timeout)
            except ConnectionClosed as exc:
                return (exc.rcvd.code if exc.rcvd else None), error
            if frame["type"] == "error":
                error = frame

    async def subscribe(self, topic: str, **extra: Any) -> dict[str, Any]:
        await self.send({"type": "subscribe", "topic": topic, **extra})
        return await self.expect("subscribed")

    async def events(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The next `count` events, from `event` and `events` frames."""
        got: list[dict[str, Any]] = []
        while len(got) < count:
            frame = await self.recv(timeout)
            if frame["type"] == "event":
                got.append(frame)
            elif frame["type"] == "events":
                got += frame["events"]
            else:
                raise AssertionError(f"expected events, got {frame}")
        return got
