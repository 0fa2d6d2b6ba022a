"""Tenant isolation through the API (property 3): whatever credential of tenant A, and whatever
resource of tenant B, A can neither read nor change it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Account, Api, auth


@dataclass
class Side:
    account: Account
    project: str
    key_id: str
    api_key: str


@pytest.fixture(scope="module")
def sides(api: Api) -> tuple[Side, Side]:
    made = []
    for name in ("iso-a", "iso-b"):
        account = api.signup(name)
        project = api.project(account)
        key = api.key(account, project)
        made.append(Side(account, project, key["key_id"], key["key"]))
    return made[0], made[1]


def _requests(victim: Side) -> list[tuple[str, str, dict[str, object] | None]]:
    t, p, k = victim.account.tenant_id, victim.project, victim.key_id
    return [
        ("GET", f"/v1/tenants/{t}", None),
        ("PATCH", f"/v1/tenants/{t}", {"name": "pwned"}),
        ("GET", f"/v1/tenants/{t}/members", None),
        ("POST", f"/v1/tenants/{t}/invitations", {"email": "x@example.com", "role": "owner"}),
        ("GET", f"/v1/tenants/{t}/projects", None),
        ("POST", f"/v1/tenants/{t}/projects", {"slug": "pwn", "name": "pwn"}),
        ("GET", f"/v1/tenants/{t}/audit-log", None),
        ("GET", f"/v1/projects/{p}", None),
        ("PATCH", f"/v1/projects/{p}", {"name": "pwned"}),
        ("GET", f"/v1/projects/{p}/keys", None),
        ("POST", f"/v1/projects/{p}/keys", {"name": "pwn", "scopes": {"publish": [">"]}}),
        ("GET", f"/v1/projects/{p}/keys/{k}", None),
        ("DELETE", f"/v1/projects/{p}/keys/{k}", None),
        ("POST", f"/v1/projects/{p}/keys/{k}/rotate", None),
        ("GET", f"/v1/projects/{p}/signing-keys", None),
        ("POST", f"/v1/projects/{p}/signing-keys", {"kid": "pwn", "alg": "HS256"}),
        ("POST", f"/v1/projects/{p}/tokens", {"user_id": "u", "capabilities": {"subscribe": [">"]}}),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_03_tenant_isolation(api: Api, sides: tuple[Side, Side], data: st.DataObject) -> None:
    attacker_index = data.draw(st.sampled_from([0, 1]), label="attacker")
    attacker, victim = sides[attacker_index], sides[1 - attacker_index]
    credential = data.draw(st.sampled_from(["user", "api_key"]), label="credential")
    token = attacker.account.access if credential == "user" else attacker.api_key
    method, path, body = data.draw(st.sampled_from(_requests(victim)), label="request")
    response = api.http.request(method, path, json=body, headers=auth(token))
    assert response.status_code in (401, 403), (credential, method, path, response.text)
    # The victim's data is untouched and its key still works.
    assert api.http.get("/v1/whoami", headers=auth(victim.api_key)).status_code == 200
    tenant = api.http.get(f"/v1/tenants/{victim.account.tenant_id}", headers=victim.account.headers).json()
    assert tenant["name"] == "T"
    projects = api.http.get(
        f"/v1/tenants/{victim.account.tenant_id}/projects", headers=victim.account.headers
    ).json()
    assert [p["slug"] for p in projects["items"]] == ["proj"]


def test_audit_logs_never_cross_tenants(api: Api, sides: tuple[Side, Side]) -> None:
    a, b = sides
    for side in sides:
        log = api.http.get(
            f"/v1/tenants/{side.account.tenant_id}/audit-log", headers=side.account.headers
        ).json()
        assert log["items"]
        assert {e["tenant_id"] for e in log["items"]} == {side.account.tenant_id}
    assert a.account.tenant_id != b.account.tenant_id
