"""API keys: generation, secrecy, grants, revocation on every node, rate limits
(properties 15 and 16)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.auth import apikeys, grants
from tidings_server.config import Settings
from tidings_server.store.db import Database
from tidings_server.store.models import ApiKey
from tidings_server.testing.live import live_server
from tidings_server.testing.waiting import eventually

from .conftest import Account, Api, auth


@dataclass
class World:
    owner: Account
    project: str


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    owner = api.signup("keys")
    return World(owner, api.project(owner))


async def test_property_15_api_key_generation_security(api: Api, world: World, db: Database) -> None:
    created = [api.key(world.owner, world.project) for _ in range(5)]
    secrets = [c["key"] for c in created]
    assert len(set(secrets)) == 5
    for body in created:
        parsed = apikeys.parse(body["key"])
        assert parsed is not None
        assert parsed.key_id == body["key_id"]
    # Never shown again: not in the list, not in a single read.
    listing = api.http.get(f"/v1/projects/{world.project}/keys?limit=200", headers=world.owner.headers).text
    single = api.http.get(
        f"/v1/projects/{world.project}/keys/{created[0]['key_id']}", headers=world.owner.headers
    )
    for secret in secrets:
        assert secret.rsplit("_", 1)[1] not in listing
        assert secret.rsplit("_", 1)[1] not in single.text
    # The database holds a 32-byte digest, never the key.
    async with db.session() as session:
        rows = (
            await session.scalars(sa.select(ApiKey).where(ApiKey.key_id.in_([c["key_id"] for c in created])))
        ).all()
    assert len(rows) == 5
    for row, secret in zip(
        sorted(rows, key=lambda r: r.key_id),
        sorted(secrets, key=lambda s: apikeys.parse(s).key_id),
        strict=True,
    ):  # type: ignore[union-attr]
        assert len(row.digest) == 32
        assert secret.encode() not in row.digest


PATTERN = st.lists(st.sampled_from(["orders", "users", "a", "b", "*"]), min_size=1, max_size=3).map(
    ".".join
) | st.lists(st.sampled_from(["orders", "users", "a", "*"]), min_size=0, max_size=2).map(
    lambda t: ".".join([*t, ">"])
)


@given(
    scopes=st.dictionaries(
        st.sampled_from(["publish", "subscribe", "history"]), st.lists(PATTERN, min_size=1, max_size=3)
    )
)
def test_property_16_normalized_grants_allow_the_same(scopes: dict[str, list[str]]) -> None:
    normalized = grants.normalize(scopes)
    for scope, patterns in scopes.items():
        for pattern in patterns:
            assert grants.allows(normalized, scope, pattern)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key_topics=st.lists(PATTERN, min_size=1, max_size=2), wanted=st.lists(PATTERN, min_size=1, max_size=2))
def test_property_16_scope_enforcement_on_minted_tokens(
    api: Api, world: World, key_topics: list[str], wanted: list[str]
) -> None:
    """A key mints a client token exactly when the capabilities are within its grants."""
    key = api.key(world.owner, world.project, {"subscribe": key_topics})["key"]
    response = api.http.post(
        f"/v1/projects/{world.project}/tokens",
        json={"user_id": "end-user-1", "capabilities": {"subscribe": wanted}},
        headers=auth(key),
    )
    within = all(grants.allows({"subscribe": key_topics}, "subscribe", w) for w in wanted)
    assert response.status_code == (201 if within else 403), response.text


def test_a_key_without_admin_cannot_manage_keys(api: Api, world: World) -> None:
    key = api.key(world.owner, world.project, {"publish": [">"]})["key"]
    response = api.http.get(f"/v1/projects/{world.project}/keys", headers=auth(key))
    assert response.status_code == 403


def test_a_key_cannot_create_a_key_with_more_than_it_has(api: Api, world: World) -> None:
    key = api.key(world.owner, world.project, {"admin": [">"], "publish": ["orders.>"]})["key"]
    wider = api.http.post(
        f"/v1/projects/{world.project}/keys",
        json={"name": "x", "scopes": {"publish": [">"]}},
        headers=auth(key),
    )
    assert wider.status_code == 403
    narrower = api.http.post(
        f"/v1/projects/{world.project}/keys",
        json={"name": "x", "scopes": {"publish": ["orders.eu.*"]}},
        headers=auth(key),
    )
    assert narrower.status_code == 201


def test_a_key_of_another_project_is_refused(api: Api, world: World) -> None:
    other = api.signup("other")
    other_project = api.project(other)
    foreign = api.key(other, other_project)["key"]
    assert api.http.get(f"/v1/projects/{world.project}", headers=auth(foreign)).status_code == 403
    assert api.http.get(f"/v1/projects/{world.project}/keys", headers=auth(foreign)).status_code == 403


@pytest.mark.parametrize("mutate", ["expired", "revoked", "malformed", "unknown", "wrong-env"])
async def test_bad_keys_are_401(api: Api, world: World, db: Database, mutate: str) -> None:
    body = api.key(world.owner, world.project)
    key = body["key"]
    if mutate == "expired":
        # Not used before, so no node has it cached: the next use reads the expired row.
        async with db.session() as session, session.begin():
            await session.execute(
                sa.update(ApiKey).where(ApiKey.key_id == body["key_id"]).values(expires_at=sa.func.now())
            )
    elif mutate == "revoked":
        revoke = api.http.delete(
            f"/v1/projects/{world.project}/keys/{body['key_id']}", headers=world.owner.headers
        )
        assert revoke.status_code == 204
    elif mutate == "malformed":
        key = key[:-3]
    elif mutate == "unknown":
        key = apikeys.generate(b"x" * 32).key
    elif mutate == "wrong-env":
        key = key.replace("tdg_live_", "tdg_test_")
    response = api.http.get("/v1/whoami", headers=auth(key))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revocation_reaches_every_node(api: Api, world: World, settings: Settings) -> None:
    body = api.key(world.owner, world.project)
    with live_server(settings) as other, httpx.Client(base_url=other.url, timeout=30) as node_b:
        assert node_b.get("/v1/whoami", headers=auth(body["key"])).status_code == 200  # cached there now
        revoked = api.http.delete(
            f"/v1/projects/{world.project}/keys/{body['key_id']}", headers=world.owner.headers
        )
        assert revoked.status_code == 204
        eventually(
            lambda: node_b.get("/v1/whoami", headers=auth(body["key"])).status_code,
            401,
            message="node B refusing the revoked key",
        )


def test_rotation_replaces_the_secret(api: Api, world: World) -> None:
    body = api.key(world.owner, world.project, {"publish": ["a.>"]})
    rotated = api.http.post(
        f"/v1/projects/{world.project}/keys/{body['key_id']}/rotate", headers=world.owner.headers
    )
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["scopes"] == {"publish": ["a.>"]}
    assert api.http.get("/v1/whoami", headers=auth(new["key"])).status_code == 200
    assert api.http.get("/v1/whoami", headers=auth(body["key"])).status_code == 401


def test_a_key_over_its_rate_gets_429_with_headers(api: Api, world: World) -> None:
    key = api.key(world.owner, world.project, rate_limit={"per_second": 0.5, "burst": 3})["key"]
    answers = [api.http.get("/v1/whoami", headers=auth(key)) for _ in range(5)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[0].headers["ratelimit-limit"] == "3"
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
