"""Seed property 22 (kill switch) and the REST side of suspension, across two server processes'
worth of nodes (two live servers on one PostgreSQL and one NATS)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.identity.suspension import Suspensions
from tidings_server.store.db import Database
from tidings_server.store.models import AuditEntry
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.waiting import eventually

from .conftest import Billing, Tenant, run

SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def second_node(settings: Settings) -> Iterator[LiveServer]:
    with live_server(settings) as running:
        yield running


def _publish_on(node: LiveServer, tenant: Tenant) -> httpx.Response:
    return httpx.post(
        f"{node.url}/v1/projects/{tenant.project_id}/events",
        json={"topic": "k.s", "data": 1},
        headers={"authorization": f"Bearer {tenant.key}"},
        timeout=10,
    )


ops = st.lists(
    st.sampled_from(["suspend_tenant", "resume_tenant", "suspend_project", "resume_project"]),
    min_size=1,
    max_size=5,
)


@SLOW
@given(steps=ops)
def test_property_22_kill_switch_activation(
    billing: Billing, second_node: LiveServer, steps: list[str]
) -> None:
    """Whatever sequence of suspensions and resumptions the operator applies (on one node), a
    publish on another node is refused with 403 `tenant_suspended` exactly while the tenant or
    the project is suspended, within a second of the change, and accepted again once resumed."""
    tenant = billing.tenant()
    tenant_suspended = project_suspended = False
    for step in steps:
        action, target = step.split("_", 1)
        path = (
            f"/v1/tenants/{tenant.id}/{action}"
            if target == "tenant"
            else f"/v1/projects/{tenant.project_id}/{action}"
        )
        response = billing.http.post(
            path, json={} if action == "suspend" or target == "tenant" else None, headers=billing.operator
        )
        assert response.status_code == 200, response.text
        if target == "tenant":
            tenant_suspended = action == "suspend"
        else:
            project_suspended = action == "suspend"
        refused = tenant_suspended or project_suspended

        def agrees(refused: bool = refused) -> bool:
            answer = _publish_on(second_node, tenant)
            if refused:
                return answer.status_code == 403 and answer.json()["code"] == "tenant_suspended"
            return answer.status_code == 201

        eventually(agrees, True, message="the other node agreeing")
        # The node where the change was made agrees at once.
        assert agrees(refused)


def test_suspension_is_audited_and_shown_in_billing_state(billing: Billing) -> None:
    tenant = billing.tenant()
    response = billing.http.post(
        f"/v1/tenants/{tenant.id}/suspend", json={"reason": "abuse", "note": "spam"}, headers=billing.operator
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"
    assert response.json()["suspended_reason"] == "abuse"
    refused = tenant.publish()
    assert refused.status_code == 403
    assert refused.json()["code"] == "tenant_suspended"
    assert refused.headers["content-type"] == "application/problem+json"
    resumed = billing.http.post(f"/v1/tenants/{tenant.id}/resume", json={}, headers=billing.operator)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "trialing"  # still within its trial
    assert tenant.publish().status_code == 201

    async def actions(db: Database) -> list[tuple[str, str, dict[str, object]]]:
        async with db.session() as session:
            rows = await session.execute(
                sa.select(AuditEntry.action, AuditEntry.actor_type, AuditEntry.details)
                .where(AuditEntry.tenant_id == uuid.UUID(tenant.id))
                .order_by(AuditEntry.id)
            )
            return [(a, t, d) for a, t, d in rows.all()]

    entries = [e for e in run(actions, billing.settings) if e[0] in ("tenant.suspended", "tenant.resumed")]
    assert [(a, t) for a, t, _ in entries] == [
        ("tenant.suspended", "operator"),
        ("tenant.resumed", "operator"),
    ]
    assert entries[0][2]["reason"] == "abuse"
    assert entries[0][2]["note"] == "spam"


def test_only_operators_hold_the_kill_switch(billing: Billing) -> None:
    tenant = billing.tenant()
    for path in (f"/v1/tenants/{tenant.id}/suspend", f"/v1/projects/{tenant.project_id}/suspend"):
        response = billing.http.post(path, json={}, headers=tenant.user)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        as_key = billing.http.post(path, json={}, headers={"authorization": f"Bearer {tenant.key}"})
        assert as_key.status_code in (401, 403)
    assert tenant.publish().status_code == 201


def test_a_suspended_project_leaves_the_tenants_other_projects_served(billing: Billing) -> None:
    tenant = billing.tenant()
    other = billing.http.post(
        f"/v1/tenants/{tenant.id}/projects", json={"slug": "other", "name": "O"}, headers=tenant.user
    )
    assert other.status_code == 201, other.text
    other_key = billing.http.post(
        f"/v1/projects/{other.json()['id']}/keys",
        json={"name": "k", "scopes": {"publish": [">"]}},
        headers=tenant.user,
    ).json()["key"]
    suspended = billing.http.post(
        f"/v1/projects/{tenant.project_id}/suspend", json={}, headers=billing.operator
    )
    assert suspended.status_code == 200, suspended.text
    assert tenant.publish().status_code == 403
    served = billing.http.post(
        f"/v1/projects/{other.json()['id']}/events",
        json={"topic": "a.b", "data": 1},
        headers={"authorization": f"Bearer {other_key}"},
    )
    assert served.status_code == 201, served.text


async def test_every_node_hears_a_suspension_within_a_second(
    billing: Billing, settings: Settings, nats_server: EmbeddedNats, db: Database
) -> None:
    """The gateway's hook: a `Suspensions.on_change` listener on another node is called with the
    tenant (and project) within a second of the operator's request, and its cache agrees."""
    broker = await JetStreamBroker.connect([nats_server.url])
    control = ControlBus(broker.nc)
    suspensions = Suspensions(db)
    heard: asyncio.Queue[tuple[uuid.UUID, uuid.UUID | None, bool]] = asyncio.Queue()

    async def listener(tenant_id: uuid.UUID, project_id: uuid.UUID | None, suspended: bool) -> None:
        heard.put_nowait((tenant_id, project_id, suspended))

    suspensions.on_change(listener)
    await suspensions.attach(control)
    try:
        tenant = await asyncio.to_thread(billing.tenant)
        tenant_id, project_id = uuid.UUID(tenant.id), uuid.UUID(tenant.project_id)
        assert not await suspensions.is_suspended(tenant_id, project_id)  # cached now
        async with httpx.AsyncClient(base_url=billing.url) as http:
            operator = await asyncio.to_thread(lambda: billing.operator)
            await http.post(f"/v1/tenants/{tenant.id}/suspend", json={}, headers=operator)
            assert await asyncio.wait_for(heard.get(), 1.0) == (tenant_id, None, True)
            assert await suspensions.is_suspended(tenant_id, project_id)
            await http.post(f"/v1/tenants/{tenant.id}/resume", json={}, headers=operator)
            assert await asyncio.wait_for(heard.get(), 1.0) == (tenant_id, None, False)
            assert not await suspensions.is_suspended(tenant_id, project_id)
            await http.post(f"/v1/projects/{tenant.project_id}/suspend", json={}, headers=operator)
            assert await asyncio.wait_for(heard.get(), 1.0) == (tenant_id, project_id, True)
            assert await suspensions.is_suspended(tenant_id, project_id)
            assert not await suspensions.tenant_suspended(tenant_id)
    finally:
        await control.close()
        await broker.close()
