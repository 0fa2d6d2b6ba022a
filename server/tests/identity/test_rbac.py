"""Roles and permissions through the live API (properties 4, 23, 24, 25)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.auth.rbac import MATRIX, Permission, assignable_roles
from tidings_server.config import Settings
from tidings_server.store.db import Database
from tidings_server.store.models import User
from tidings_server.testing.live import live_server

from .conftest import Account, Api

ROLES = ["owner", "admin", "developer", "billing", "viewer"]


@dataclass
class Tenant:
    owner: Account
    members: dict[str, Account]
    project: str


@pytest.fixture(scope="module")
def tenant(api: Api) -> Tenant:
    owner = api.signup("rbac")
    project = api.project(owner)
    members = {}
    for role in ROLES:
        member = api.signup(f"rbac-{role}")
        api.join(owner, member, role)
        members[role] = member
    return Tenant(owner, members, project)


# One representative request per permission; `None` body means GET.
Request = Callable[[Tenant], tuple[str, str, dict[str, object] | None]]
REQUESTS: dict[Permission, Request] = {
    Permission.TENANT_READ: lambda t: ("GET", f"/v1/tenants/{t.owner.tenant_id}", None),
    Permission.TENANT_UPDATE: lambda t: ("PATCH", f"/v1/tenants/{t.owner.tenant_id}", {"name": "Renamed"}),
    Permission.MEMBERS_READ: lambda t: ("GET", f"/v1/tenants/{t.owner.tenant_id}/members", None),
    Permission.MEMBERS_MANAGE: lambda t: (
        "POST",
        f"/v1/tenants/{t.owner.tenant_id}/invitations",
        {"email": "someone@example.com", "role": "viewer"},
    ),
    Permission.PROJECTS_READ: lambda t: ("GET", f"/v1/projects/{t.project}", None),
    Permission.PROJECTS_WRITE: lambda t: ("PATCH", f"/v1/projects/{t.project}", {"name": "Renamed"}),
    Permission.KEYS_READ: lambda t: ("GET", f"/v1/projects/{t.project}/keys", None),
    Permission.KEYS_WRITE: lambda t: (
        "POST",
        f"/v1/projects/{t.project}/keys",
        {"name": "k", "scopes": {"publish": [">"]}},
    ),
    Permission.TOKENS_MANAGE: lambda t: ("GET", f"/v1/projects/{t.project}/signing-keys", None),
    Permission.AUDIT_READ: lambda t: ("GET", f"/v1/tenants/{t.owner.tenant_id}/audit-log", None),
}


def _call(api: Api, account: Account, request: tuple[str, str, dict[str, object] | None]) -> httpx.Response:
    method, path, body = request
    return api.http.request(method, path, json=body, headers=account.headers)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(role=st.sampled_from(ROLES), permission=st.sampled_from(list(REQUESTS)))
def test_property_23_role_based_permission_enforcement(
    api: Api, tenant: Tenant, role: str, permission: Permission
) -> None:
    """For any role and permission, the API allows exactly what the matrix allows."""
    response = _call(api, tenant.members[role], REQUESTS[permission](tenant))
    if role in MATRIX[permission]:
        assert response.status_code in (200, 201), (role, permission, response.text)
    else:
        assert response.status_code == 403, (role, permission, response.text)
        assert response.json()["code"] == "forbidden"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    role=st.sampled_from(["billing", "viewer"]),
    permission=st.sampled_from(
        [
            Permission.TENANT_UPDATE,
            Permission.MEMBERS_MANAGE,
            Permission.PROJECTS_WRITE,
            Permission.KEYS_WRITE,
        ]
    ),
)
def test_property_04_permission_based_rejection_changes_nothing(
    api: Api, tenant: Tenant, role: str, permission: Permission
) -> None:
    """A request without the permission is refused with 403 and leaves no trace."""
    before = api.http.get(
        f"/v1/tenants/{tenant.owner.tenant_id}/audit-log", headers=tenant.owner.headers
    ).json()
    response = _call(api, tenant.members[role], REQUESTS[permission](tenant))
    assert response.status_code == 403
    after = api.http.get(
        f"/v1/tenants/{tenant.owner.tenant_id}/audit-log", headers=tenant.owner.headers
    ).json()
    assert after["items"][:1] == before["items"][:1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actor=st.sampled_from(ROLES), target=st.sampled_from(ROLES), new_role=st.sampled_from(ROLES))
def test_property_24_admin_functions_validate_the_actor(
    api: Api, tenant: Tenant, actor: str, target: str, new_role: str
) -> None:
    """Role changes: only members:manage holders, only within assignable roles, never on oneself."""
    victim = api.signup("victim")
    api.join(tenant.owner, victim, target)
    response = api.http.patch(
        f"/v1/tenants/{tenant.owner.tenant_id}/members/{victim.user_id}",
        json={"role": new_role},
        headers=tenant.members[actor].headers,
    )
    allowed_roles = assignable_roles(actor)
    may = actor in MATRIX[Permission.MEMBERS_MANAGE] and target in allowed_roles and new_role in allowed_roles
    assert response.status_code == (200 if may else 403), (
        actor,
        target,
        new_role,
        response.json().get("detail"),
    )
    me = api.http.get("/v1/me", headers=victim.headers).json()
    role_now = next(m["role"] for m in me["memberships"] if m["tenant_id"] == tenant.owner.tenant_id)
    assert role_now == (new_role if may else target)


def test_nobody_changes_their_own_role(api: Api, tenant: Tenant) -> None:
    admin = tenant.members["admin"]
    response = api.http.patch(
        f"/v1/tenants/{tenant.owner.tenant_id}/members/{admin.user_id}",
        json={"role": "owner"},
        headers=admin.headers,
    )
    assert response.status_code == 403


def test_a_developer_cannot_invite_an_owner_or_grant_itself_more(api: Api, tenant: Tenant) -> None:
    developer = tenant.members["developer"]
    invite = api.http.post(
        f"/v1/tenants/{tenant.owner.tenant_id}/invitations",
        json={"email": "boss@example.com", "role": "owner"},
        headers=developer.headers,
    )
    assert invite.status_code == 403


def test_an_admin_cannot_invite_an_owner(api: Api, tenant: Tenant) -> None:
    response = api.http.post(
        f"/v1/tenants/{tenant.owner.tenant_id}/invitations",
        json={"email": "boss2@example.com", "role": "owner"},
        headers=tenant.members["admin"].headers,
    )
    assert response.status_code == 403


async def test_the_last_owner_stays_even_for_an_operator(api: Api, db: Database) -> None:
    owner = api.signup("solo")
    other_owner = api.signup("solo2")
    api.join(owner, other_owner, "owner")
    # One owner demotes the other: fine; the demoted one (now admin) cannot touch the owner.
    demote = api.http.patch(
        f"/v1/tenants/{owner.tenant_id}/members/{other_owner.user_id}",
        json={"role": "admin"},
        headers=owner.headers,
    )
    assert demote.status_code == 200
    back = api.http.patch(
        f"/v1/tenants/{owner.tenant_id}/members/{owner.user_id}",
        json={"role": "admin"},
        headers=other_owner.headers,
    )
    assert back.status_code == 403
    operator = api.signup("operator")
    async with db.session() as session, session.begin():
        await session.execute(sa.update(User).where(User.email == operator.email).values(operator=True))
    last = api.http.patch(
        f"/v1/tenants/{owner.tenant_id}/members/{owner.user_id}",
        json={"role": "admin"},
        headers=operator.headers,
    )
    assert last.status_code == 409
    assert last.json()["code"] == "conflict"
    # The operator reaches every tenant (support), and its actions are audited as the operator's.
    assert api.http.get(f"/v1/tenants/{owner.tenant_id}/members", headers=operator.headers).status_code == 200


def test_a_user_cannot_act_in_a_tenant_it_does_not_belong_to(api: Api, tenant: Tenant) -> None:
    stranger = api.signup("stranger")
    for method, path, body in [
        ("GET", f"/v1/tenants/{tenant.owner.tenant_id}", None),
        ("GET", f"/v1/tenants/{tenant.owner.tenant_id}/members", None),
        ("POST", f"/v1/tenants/{tenant.owner.tenant_id}/projects", {"slug": "evil", "name": "x"}),
        ("GET", f"/v1/projects/{tenant.project}/keys", None),
        ("PATCH", f"/v1/tenants/{tenant.owner.tenant_id}/members/{stranger.user_id}", {"role": "owner"}),
    ]:
        response = api.http.request(method, path, json=body, headers=stranger.headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "forbidden"


def test_property_25_role_change_takes_effect_on_the_next_request_on_every_node(
    api: Api, tenant: Tenant, settings: Settings
) -> None:
    """A second server process shares nothing with the first but the database and NATS: the
    member's very next request there sees the new role, both ways."""
    member = api.signup("flip")
    api.join(tenant.owner, member, "developer")
    keys = f"/v1/projects/{tenant.project}/keys"
    with live_server(settings) as other, httpx.Client(base_url=other.url, timeout=30) as node_b:
        assert node_b.get(keys, headers=member.headers).status_code == 200
        for role, expected in [("viewer", 403), ("admin", 200), ("billing", 403), ("developer", 200)]:
            changed = api.http.patch(
                f"/v1/tenants/{tenant.owner.tenant_id}/members/{member.user_id}",
                json={"role": role},
                headers=tenant.owner.headers,
            )
            assert changed.status_code == 200
            assert node_b.get(keys, headers=member.headers).status_code == expected, role
        removed = api.http.delete(
            f"/v1/tenants/{tenant.owner.tenant_id}/members/{member.user_id}", headers=tenant.owner.headers
        )
        assert removed.status_code == 204
        assert node_b.get(keys, headers=member.headers).status_code == 403
