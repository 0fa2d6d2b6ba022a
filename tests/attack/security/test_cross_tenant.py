"""Every credential kind of tenant A against every tenant-scoped operation of tenant B (routes
from spec/openapi.yaml, not a hand list), and against B's realtime streams (WebSocket, SSE).

The documented answers: a credential kind the operation does not accept is 401
`unauthenticated`; an accepted kind acting on another tenant's project or tenant is 403
`forbidden` (identity/access.py: a project that exists but is not the caller's is 403).
Never 2xx, never 404 for B's existing resources, never 5xx.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import orjson
import pytest
import websockets
import yaml

from tidings_server.spec import spec_dir
from tidings_server.testing.live import LiveServer

from .conftest import Tenant, assert_problem, bearer

_METHODS = ("get", "post", "put", "patch", "delete")
_SCHEME_OF = {
    "owner_session": "UserToken",
    "api_key_full": "ApiKeyAuth",
    "api_key_narrow": "ApiKeyAuth",
    "client_token": "ClientToken",
    "signed_token": "ClientToken",
}
CREDENTIALS = tuple(_SCHEME_OF)

# A body valid against the operation's schema, so that the request reaches authorization (a
# malformed body is refused by the schema first, whoever sends it). One per operation with a
# required body; `test_every_scoped_operation_with_a_body_has_one` keeps the list complete.
BODIES: dict[str, Any] = {
    "update_tenant": {"name": "pwned"},
    "update_member": {"role": "viewer"},
    "invite": {"email": "mallory@example.com", "role": "owner"},
    "create_project": {"slug": "pwned", "name": "pwned"},
    "update_project": {"name": "pwned"},
    "create_key": {"name": "pwned", "scopes": {"publish": [">"], "admin": [">"]}},
    "create_signing_key": {"kid": "pwned", "alg": "HS256"},
    "mint_token": {"user_id": "mallory", "capabilities": {"subscribe": [">"]}},
    "publish_event": {"topic": "orders.created", "data": {"pwned": True}},
    "publish_events": {"events": [{"topic": "orders.created", "data": {}}]},
    "put_retention": {"max_age_seconds": 60, "max_events": 1, "max_bytes": 1024},
    "register_schema": {"topic": "orders.created", "schema": {"type": "string"}},
    "create_subscription": {"name": "pwned", "topic": ">"},
    "pull": {"max_events": 10},
    "ack": {"ack_tokens": ["x"]},
    "put_tenant_plan": {"plan": "enterprise"},
    "suspend_tenant": {"reason": "abuse"},
    "resume_tenant": {},
    "suspend_project": {"reason": "abuse"},
    "create_checkout": {
        "plan": "pro",
        "success_url": "https://example.com/a",
        "cancel_url": "https://example.com/b",
    },
    "create_portal": {"return_url": "https://example.com/a"},
}


def _operations() -> list[tuple[str, str, str, frozenset[str], bool]]:
    """(method, path template, operationId, accepted schemes, body required) of every operation
    on a tenant's or project's resources."""
    doc = yaml.safe_load((spec_dir() / "openapi.yaml").read_text(encoding="utf-8"))
    found = []
    for path, item in doc["paths"].items():
        if "{tenant}" not in path and "{project}" not in path:
            continue
        for method in _METHODS:
            if method not in item:
                continue
            op = item[method]
            schemes = frozenset(next(iter(s)) for s in op.get("security", doc.get("security", [])))
            required = bool(op.get("requestBody", {}).get("required"))
            found.append((method, path, op["operationId"].rsplit(".", 1)[-1], schemes, required))
    return found


OPERATIONS = _operations()


def _fill(path: str, victim: Tenant) -> str:
    values = {
        "tenant": victim.tenant_id,
        "project": victim.project_id,
        "user_id": victim.user_id,
        "key_id": victim.full_key_id,
        "kid": victim.kid,
        "schema_id": victim.schema_id,
        "subscription": victim.subscription,
        "dead_letter": "1",
    }
    filled = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    assert "{" not in filled, path
    return filled


def test_the_route_list_comes_from_the_spec() -> None:
    assert len(OPERATIONS) >= 50
    assert {"publish_event", "list_events", "pull", "ack", "list_dead_letters", "project_usage"} <= {
        op[2] for op in OPERATIONS
    }


def test_every_scoped_operation_with_a_body_has_one() -> None:
    missing = [op[2] for op in OPERATIONS if op[4] and op[2] not in BODIES]
    assert not missing, f"add a schema-valid body for {missing}"


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize(
    ("method", "path", "operation", "schemes", "body_required"),
    OPERATIONS,
    ids=[f"{op[0].upper()} {op[1]}" for op in OPERATIONS],
)
def test_a_credential_of_another_tenant_gets_nothing(
    http: httpx.Client,
    attacker: Tenant,
    victim: Tenant,
    credential: str,
    method: str,
    path: str,
    operation: str,
    schemes: frozenset[str],
    body_required: bool,
) -> None:
    token = attacker.credentials()[credential]
    kwargs: dict[str, Any] = {"headers": bearer(token)}
    if operation in BODIES:
        kwargs["json"] = BODIES[operation]
    response = http.request(method.upper(), _fill(path, victim), **kwargs)
    if _SCHEME_OF[credential] in schemes:
        assert_problem(response, 403, "forbidden")
    else:
        assert_problem(response, 401, "unauthenticated")


def test_the_victim_is_untouched(http: httpx.Client, victim: Tenant) -> None:
    """After every attack above: B's data is as B left it."""
    owner = bearer(victim.access)
    assert http.get(f"/v1/tenants/{victim.tenant_id}", headers=owner).json()["name"] == "T"
    members = http.get(f"/v1/tenants/{victim.tenant_id}/members", headers=owner).json()["items"]
    assert [m["role"] for m in members] == ["owner"]
    keys = http.get(f"/v1/projects/{victim.project_id}/keys", headers=owner).json()["items"]
    assert all(k.get("revoked_at") is None for k in keys)
    assert {k["name"] for k in keys} == {"full", "narrow"}
    events = http.get(f"/v1/projects/{victim.project_id}/events", headers=bearer(victim.full_key)).json()
    assert [e["data"] for e in events["items"]] == [{"secret": "vic"}]


# --- realtime: WebSocket and SSE ----------------------------------------------------------------


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_another_tenants_websocket_closes_4401(
    server: LiveServer, attacker: Tenant, victim: Tenant, credential: str
) -> None:
    url = f"{server.ws_url}/v1/projects/{victim.project_id}/ws"
    token = attacker.credentials()[credential]
    async with websockets.connect(url, additional_headers=bearer(token)) as ws:
        frame = orjson.loads(await ws.recv())
        assert frame["type"] == "error", frame
        assert frame["code"] == "unauthenticated", frame
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4401


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_another_tenants_websocket_via_the_auth_frame_closes_4401(
    server: LiveServer, attacker: Tenant, victim: Tenant, credential: str
) -> None:
    """A's socket on A's project, then an `auth` frame with a credential of B's project."""
    url = f"{server.ws_url}/v1/projects/{attacker.project_id}/ws"
    async with websockets.connect(url, additional_headers=bearer(attacker.full_key)) as ws:
        assert orjson.loads(await ws.recv())["type"] == "welcome"
        await ws.send(orjson.dumps({"type": "auth", "token": victim.credentials()[credential]}).decode())
        frame = orjson.loads(await ws.recv())
        assert frame["type"] == "error", frame
        assert frame["code"] == "unauthenticated", frame
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4401


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("how", ["header", "query"])
def test_another_tenants_sse_stream_is_401(
    http: httpx.Client, attacker: Tenant, victim: Tenant, credential: str, how: str
) -> None:
    token = attacker.credentials()[credential]
    path = f"/v1/projects/{victim.project_id}/stream"
    if how == "header":
        response = http.get(path, params={"topic": ">"}, headers=bearer(token))
    else:
        response = http.get(path, params={"topic": ">", "token": token})
    assert_problem(response, 401, "unauthenticated")


def test_another_tenants_cursor_does_not_open_a_stream(
    http: httpx.Client, attacker: Tenant, victim: Tenant
) -> None:
    """Replay across tenants: B's cursor on A's own stream is refused, not served."""
    page = http.get(f"/v1/projects/{victim.project_id}/events", headers=bearer(victim.full_key)).json()
    cursor = page["items"][0]["cursor"]
    response = http.get(
        f"/v1/projects/{attacker.project_id}/stream",
        params={"topic": ">", "cursor": cursor},
        headers=bearer(attacker.full_key),
    )
    assert_problem(response, 422, "invalid_cursor")
    history = http.get(
        f"/v1/projects/{attacker.project_id}/events",
        params={"after": cursor},
        headers=bearer(attacker.full_key),
    )
    # History answers another project's cursor as a resource it does not have (404); the
    # streams as a cursor they cannot use (422). Either way nothing of B is served.
    assert_problem(history, 404, "not_found")
