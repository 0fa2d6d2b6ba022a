"""Scope narrowing and every way to widen it: keys, client tokens, signing keys, invitations and
role changes — each tried from a narrower credential (refused: 403 / 401 / close 4401) and, where
it is a legitimate operation, within the credential (accepted), so the suite fails both ways."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
import websockets

from tidings_server.testing.live import LiveServer

from .conftest import NARROW, Tenant, assert_problem, bearer, make_user


@pytest.fixture(scope="module")
def team(http: httpx.Client, attacker: Tenant) -> dict[str, Tenant]:
    """The attacker tenant's members, one per role below owner."""
    members = {}
    for role in ("admin", "developer", "viewer"):
        member = make_user(http, role[:3])
        invite = http.post(
            f"/v1/tenants/{attacker.tenant_id}/invitations",
            json={"email": member.email, "role": role},
            headers=bearer(attacker.access),
        )
        assert invite.status_code == 201, invite.text
        accepted = http.post(
            "/v1/invitations/accept", json={"token": invite.json()["token"]}, headers=bearer(member.access)
        )
        assert accepted.status_code == 200, accepted.text
        members[role] = member
    return members


def _key(http: httpx.Client, t: Tenant, by: str, scopes: dict[str, list[str]]) -> httpx.Response:
    return http.post(
        f"/v1/projects/{t.project_id}/keys", json={"name": "k", "scopes": scopes}, headers=bearer(by)
    )


# --- API keys ------------------------------------------------------------------------------------

WIDER_KEYS = [
    {"publish": [">"]},
    {"publish": ["payments.>"]},
    {"subscribe": [">"]},
    {"history": ["orders.>"]},
    {"admin": [">"], "publish": ["orders.>", "payments.*"]},
]


@pytest.mark.parametrize("scopes", WIDER_KEYS, ids=[orjson.dumps(s).decode() for s in WIDER_KEYS])
def test_a_narrow_key_cannot_create_a_wider_key(http: httpx.Client, attacker: Tenant, scopes: Any) -> None:
    assert_problem(_key(http, attacker, attacker.narrow_key, scopes), 403, "forbidden")


def test_a_narrow_key_creates_keys_within_its_grants(http: httpx.Client, attacker: Tenant) -> None:
    response = _key(http, attacker, attacker.narrow_key, {"publish": ["orders.eu.>"]})
    assert response.status_code == 201, response.text


def test_a_narrow_key_cannot_widen_by_rotating_a_wider_key(http: httpx.Client, attacker: Tenant) -> None:
    response = http.post(
        f"/v1/projects/{attacker.project_id}/keys/{attacker.full_key_id}/rotate",
        headers=bearer(attacker.narrow_key),
    )
    assert_problem(response, 403, "forbidden")


def test_a_key_without_admin_manages_nothing(http: httpx.Client, attacker: Tenant) -> None:
    publisher = _key(http, attacker, attacker.access, {"publish": [">"]}).json()["key"]
    assert_problem(_key(http, attacker, publisher, {"publish": ["x"]}), 403, "forbidden")
    signing = http.post(
        f"/v1/projects/{attacker.project_id}/signing-keys",
        json={"kid": "by-publisher", "alg": "HS256"},
        headers=bearer(publisher),
    )
    assert_problem(signing, 403, "forbidden")


# --- client tokens -------------------------------------------------------------------------------


def _mint(http: httpx.Client, t: Tenant, by: str, caps: dict[str, list[str]], **extra: Any) -> httpx.Response:
    return http.post(
        f"/v1/projects/{t.project_id}/tokens",
        json={"user_id": "u", "capabilities": caps, **extra},
        headers=bearer(by),
    )


@pytest.mark.parametrize(
    "caps", [{"subscribe": [">"]}, {"publish": ["payments.x"]}, {"history": [">"]}], ids=str
)
def test_a_narrow_key_cannot_mint_a_wider_token(http: httpx.Client, attacker: Tenant, caps: Any) -> None:
    assert_problem(_mint(http, attacker, attacker.narrow_key, caps), 403, "forbidden")


def test_a_narrow_key_mints_within_its_grants(http: httpx.Client, attacker: Tenant) -> None:
    assert _mint(http, attacker, attacker.narrow_key, {"subscribe": ["orders.eu"]}).status_code == 201


def test_a_client_token_mints_nothing(http: httpx.Client, attacker: Tenant) -> None:
    assert_problem(_mint(http, attacker, attacker.client_token, {"subscribe": [">"]}), 401, "unauthenticated")


def test_a_token_longer_than_the_project_allows_is_not_minted(http: httpx.Client, attacker: Tenant) -> None:
    response = http.patch(
        f"/v1/projects/{attacker.project_id}",
        json={"settings": {"max_client_token_ttl": 600}},
        headers=bearer(attacker.access),
    )
    assert response.status_code == 200, response.text
    try:
        too_long = _mint(http, attacker, attacker.full_key, {"subscribe": [">"]}, ttl_seconds=3600)
        assert_problem(too_long, 400, "validation_failed")
        assert (
            _mint(http, attacker, attacker.full_key, {"subscribe": [">"]}, ttl_seconds=600).status_code == 201
        )
    finally:
        http.patch(
            f"/v1/projects/{attacker.project_id}",
            json={"settings": {"max_client_token_ttl": 86400}},
            headers=bearer(attacker.access),
        )


def test_a_client_token_acts_within_its_capabilities_only(http: httpx.Client, attacker: Tenant) -> None:
    narrow = attacker.signed_token({"publish": ["chat.room1"], "subscribe": ["chat.room1"]})
    events = f"/v1/projects/{attacker.project_id}/events"
    outside = http.post(events, json={"topic": "chat.room2", "data": {}}, headers=bearer(narrow))
    assert_problem(outside, 403, "forbidden")
    assert (
        http.post(events, json={"topic": "chat.room1", "data": {}}, headers=bearer(narrow)).status_code == 201
    )
    stream = http.get(
        f"/v1/projects/{attacker.project_id}/stream", params={"topic": "chat.>"}, headers=bearer(narrow)
    )
    assert_problem(stream, 403, "forbidden")
    admin = _key(http, attacker, narrow, {"publish": ["chat.room1"]})
    assert_problem(admin, 401, "unauthenticated")


async def test_a_client_token_cannot_subscribe_beyond_its_capabilities_on_websocket(
    server: LiveServer, attacker: Tenant
) -> None:
    narrow = attacker.signed_token({"subscribe": ["chat.room1"]})
    url = f"{server.ws_url}/v1/projects/{attacker.project_id}/ws"
    async with websockets.connect(url, additional_headers=bearer(narrow)) as ws:
        assert orjson.loads(await ws.recv())["type"] == "welcome"
        await ws.send(orjson.dumps({"type": "subscribe", "id": "1", "topic": "chat.>"}).decode())
        frame = orjson.loads(await ws.recv())
        assert frame["type"] == "error", frame
        assert frame["code"] == "forbidden", frame


# --- signing keys ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def narrow_signing(http: httpx.Client, attacker: Tenant) -> dict[str, Any]:
    response = http.post(
        f"/v1/projects/{attacker.project_id}/signing-keys",
        json={"kid": "narrow-backend", "alg": "HS256"},
        headers=bearer(attacker.narrow_key),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["max_capabilities"] == {k: v for k, v in NARROW.items() if k != "admin"}
    return body


def _signed(attacker: Tenant, key: dict[str, Any], cap: dict[str, list[str]]) -> str:
    clone = Tenant(**{**attacker.__dict__, "kid": key["kid"], "signing_secret": key["secret"]})
    return clone.signed_token(cap)


WIDER_CAPS = [{"publish": ["payments.*"]}, {"history": [">"]}, {"subscribe": [">"]}, {"publish": [">"]}]


@pytest.mark.parametrize("cap", WIDER_CAPS, ids=str)
def test_a_signing_key_registered_by_a_narrow_key_signs_nothing_wider_on_rest_and_sse(
    http: httpx.Client, attacker: Tenant, narrow_signing: dict[str, Any], cap: Any
) -> None:
    token = _signed(attacker, narrow_signing, cap)
    assert_problem(http.get("/v1/whoami", headers=bearer(token)), 401, "unauthenticated")
    stream = http.get(
        f"/v1/projects/{attacker.project_id}/stream", params={"topic": ">"}, headers=bearer(token)
    )
    assert_problem(stream, 401, "unauthenticated")


@pytest.mark.parametrize("cap", WIDER_CAPS, ids=str)
async def test_a_signing_key_registered_by_a_narrow_key_signs_nothing_wider_on_websocket(
    server: LiveServer, attacker: Tenant, narrow_signing: dict[str, Any], cap: Any
) -> None:
    token = _signed(attacker, narrow_signing, cap)
    url = f"{server.ws_url}/v1/projects/{attacker.project_id}/ws"
    async with websockets.connect(url, additional_headers=bearer(token)) as ws:
        assert orjson.loads(await ws.recv())["code"] == "unauthenticated"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4401


def test_a_signing_key_registered_by_a_narrow_key_signs_within_it(
    http: httpx.Client, attacker: Tenant, narrow_signing: dict[str, Any]
) -> None:
    token = _signed(attacker, narrow_signing, {"subscribe": ["orders.eu.>"], "publish": ["orders.eu"]})
    assert http.get("/v1/whoami", headers=bearer(token)).status_code == 200


# --- invitations and roles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "role"),
    [("admin", "owner"), ("developer", "viewer"), ("developer", "admin"), ("viewer", "viewer")],
)
def test_members_cannot_invite_beyond_their_role(
    http: httpx.Client, attacker: Tenant, team: dict[str, Tenant], actor: str, role: str
) -> None:
    response = http.post(
        f"/v1/tenants/{attacker.tenant_id}/invitations",
        json={"email": f"new-{actor}-{role}@example.com", "role": role},
        headers=bearer(team[actor].access),
    )
    assert_problem(response, 403, "forbidden")


def test_an_admin_invites_below_owner(http: httpx.Client, attacker: Tenant, team: dict[str, Tenant]) -> None:
    response = http.post(
        f"/v1/tenants/{attacker.tenant_id}/invitations",
        json={"email": "fine@example.com", "role": "developer"},
        headers=bearer(team["admin"].access),
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("actor", "target", "role"),
    [
        ("admin", "developer", "owner"),  # only owners grant owner
        ("admin", "admin", "owner"),  # nor to themselves
        ("developer", "developer", "admin"),
        ("developer", "viewer", "admin"),
        ("viewer", "viewer", "owner"),
    ],
)
def test_members_cannot_raise_roles(
    http: httpx.Client, attacker: Tenant, team: dict[str, Tenant], actor: str, target: str, role: str
) -> None:
    response = http.patch(
        f"/v1/tenants/{attacker.tenant_id}/members/{team[target].user_id}",
        json={"role": role},
        headers=bearer(team[actor].access),
    )
    assert_problem(response, 403, "forbidden")


def test_an_admin_cannot_demote_the_owner(
    http: httpx.Client, attacker: Tenant, team: dict[str, Tenant]
) -> None:
    response = http.patch(
        f"/v1/tenants/{attacker.tenant_id}/members/{attacker.user_id}",
        json={"role": "viewer"},
        headers=bearer(team["admin"].access),
    )
    assert_problem(response, 403, "forbidden")


def test_an_invitation_is_for_its_email_and_works_once(http: httpx.Client, attacker: Tenant) -> None:
    intended, other = make_user(http, "inv"), make_user(http, "oth")
    token = http.post(
        f"/v1/tenants/{attacker.tenant_id}/invitations",
        json={"email": intended.email, "role": "admin"},
        headers=bearer(attacker.access),
    ).json()["token"]
    stolen = http.post("/v1/invitations/accept", json={"token": token}, headers=bearer(other.access))
    assert_problem(stolen, 403, "forbidden")
    assert (
        http.post(
            "/v1/invitations/accept", json={"token": token}, headers=bearer(intended.access)
        ).status_code
        == 200
    )
    again = http.post("/v1/invitations/accept", json={"token": token}, headers=bearer(other.access))
    assert_problem(again, 401, "unauthenticated")


def test_a_demotion_takes_effect_on_the_next_request(http: httpx.Client, attacker: Tenant) -> None:
    member = make_user(http, "dem")
    token = http.post(
        f"/v1/tenants/{attacker.tenant_id}/invitations",
        json={"email": member.email, "role": "developer"},
        headers=bearer(attacker.access),
    ).json()["token"]
    assert (
        http.post("/v1/invitations/accept", json={"token": token}, headers=bearer(member.access)).status_code
        == 200
    )
    assert _key(http, attacker, member.access, {"publish": [">"]}).status_code == 201
    demoted = http.patch(
        f"/v1/tenants/{attacker.tenant_id}/members/{member.user_id}",
        json={"role": "viewer"},
        headers=bearer(attacker.access),
    )
    assert demoted.status_code == 200, demoted.text
    assert_problem(_key(http, attacker, member.access, {"publish": [">"]}), 403, "forbidden")
