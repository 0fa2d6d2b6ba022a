"""Stripe webhooks: signatures, exactly-once processing, order, status transitions, trials."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tidings_server.billing.errors import WebhookSignatureInvalid
from tidings_server.billing.sweeper import Sweeper
from tidings_server.billing.webhooks import sign_payload, verify_signature
from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.embedded import EmbeddedNats
from tidings_server.store.db import Database
from tidings_server.store.models import AuditEntry, StripeEvent

from .conftest import WEBHOOK_SECRET, Billing, Tenant, run, stripe_event


def _subscription(customer: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": "sub_123", "object": "subscription", "customer": customer, "status": status, **extra}


def _events_recorded(billing: Billing, event_id: str) -> int:
    async def count(db: Database) -> int:
        async with db.session() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(StripeEvent)
                    .where(StripeEvent.event_id == event_id)
                )
                or 0
            )

    return run(count, billing.settings)


def _audit(billing: Billing, tenant: Tenant) -> list[tuple[str, str, dict[str, Any]]]:
    async def read(db: Database) -> list[tuple[str, str, dict[str, Any]]]:
        async with db.session() as session:
            rows = await session.execute(
                sa.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.details)
                .where(AuditEntry.tenant_id == uuid.UUID(tenant.id))
                .order_by(AuditEntry.id)
            )
            return [(a, b, c) for a, b, c in rows.all()]

    return run(read, billing.settings)


# --- signature ---------------------------------------------------------------------------------


def test_signatures_as_stripe_makes_them() -> None:
    body = b'{"id": "evt_1"}'
    now = 1_700_000_000
    verify_signature(body, sign_payload(body, "whsec_a", now), ["whsec_a"], now=now)
    # Rotation: either secret; several v1 values in one header.
    header = sign_payload(body, "whsec_old", now) + "," + sign_payload(body, "whsec_new", now).split(",")[1]
    verify_signature(body, header, ["whsec_new"], now=now)
    bad = [
        (body, None),
        (body, ""),
        (body, "v1=abc"),
        (body, f"t={now}"),
        (body, f"t=abc,v1={'0' * 64}"),
        (body + b" ", sign_payload(body, "whsec_a", now)),
        (body, sign_payload(body, "whsec_other", now)),
        (body, sign_payload(body, "whsec_a", now - 301)),
        (body, sign_payload(body, "whsec_a", now + 301)),
        (body, "t=1," + "v1=" + "ü" * 10),
    ]
    for payload, header_value in bad:
        with pytest.raises(WebhookSignatureInvalid):
            verify_signature(payload, header_value, ["whsec_a"], now=now)
    with pytest.raises(WebhookSignatureInvalid):
        verify_signature(body, sign_payload(body, "whsec_a", now), [], now=now)


def test_forged_stale_and_malformed_deliveries_change_nothing(billing: Billing) -> None:
    tenant = billing.tenant()
    customer = billing.link_customer(tenant)
    event = stripe_event("customer.subscription.updated", _subscription(customer, "past_due"))
    forged = billing.webhook(event, secret="whsec_attacker")
    stale = billing.webhook(event, at=int(time.time()) - 301)
    payload = json.dumps(event).encode()
    unsigned = billing.http.post(
        "/v1/billing/stripe/webhook", content=payload, headers={"content-type": "application/json"}
    )
    tampered_header = sign_payload(payload, WEBHOOK_SECRET, int(time.time()))
    tampered = billing.http.post(
        "/v1/billing/stripe/webhook",
        content=payload.replace(b"past_due", b"canceled"),
        headers={"stripe-signature": tampered_header, "content-type": "application/json"},
    )
    for response in (forged, stale, unsigned, tampered):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "webhook_signature_invalid"
    # Signed, but not an event: refused, nothing recorded.
    for body in ([1, 2], {"id": "evt_x"}, {"id": 5, "type": "x", "created": 1, "data": {"object": {}}}):
        raw = json.dumps(body).encode()
        response = billing.http.post(
            "/v1/billing/stripe/webhook",
            content=raw,
            headers={
                "stripe-signature": sign_payload(raw, WEBHOOK_SECRET, int(time.time())),
                "content-type": "application/json",
            },
        )
        assert response.status_code == 400, response.text
    not_json = b"{not json"
    response = billing.http.post(
        "/v1/billing/stripe/webhook",
        content=not_json,
        headers={
            "stripe-signature": sign_payload(not_json, WEBHOOK_SECRET, int(time.time())),
            "content-type": "application/json",
        },
    )
    assert response.status_code == 400
    assert billing.status(tenant) == "trialing"
    assert _events_recorded(billing, event["id"]) == 0
    assert billing.webhook(event).json() == {"received": True, "outcome": "processed"}
    assert billing.status(tenant) == "past_due"


def test_a_replayed_event_is_processed_once(billing: Billing) -> None:
    tenant = billing.tenant()
    customer = billing.link_customer(tenant)
    failed = stripe_event("invoice.payment_failed", {"id": "in_1", "object": "invoice", "customer": customer})
    assert billing.webhook(failed).json()["outcome"] == "processed"
    assert billing.status(tenant) == "past_due"
    paid = stripe_event("invoice.paid", {"id": "in_1", "object": "invoice", "customer": customer})
    assert billing.webhook(paid).json()["outcome"] == "processed"
    assert billing.status(tenant) == "active"
    # Stripe retries (or someone replays within the tolerance) the failure: nothing changes.
    again = billing.webhook(failed)
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert billing.status(tenant) == "active"
    changes = [a for a, _, _ in _audit(billing, tenant) if a == "tenant.status_changed"]
    assert len(changes) == 2


def test_an_unknown_customer_is_acknowledged_and_ignored(billing: Billing) -> None:
    event = stripe_event("customer.subscription.deleted", _subscription("cus_nobody", "canceled"))
    response = billing.webhook(event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    unhandled = stripe_event("charge.succeeded", {"id": "ch_1", "customer": "cus_nobody"})
    assert billing.webhook(unhandled).json()["outcome"] == "ignored"


def test_out_of_order_delivery_does_not_roll_back(billing: Billing) -> None:
    tenant = billing.tenant()
    customer = billing.link_customer(tenant)
    now = int(time.time())
    newer = stripe_event("customer.subscription.updated", _subscription(customer, "past_due"), created=now)
    older = stripe_event("customer.subscription.updated", _subscription(customer, "active"), created=now - 60)
    assert billing.webhook(newer).json()["outcome"] == "processed"
    assert billing.webhook(older).json()["outcome"] == "stale"
    assert billing.status(tenant) == "past_due"


def test_subscription_lifecycle_and_plan(billing: Billing) -> None:
    tenant = billing.tenant()
    customer = billing.link_customer(tenant)
    now = int(time.time())
    created = stripe_event(
        "customer.subscription.created",
        _subscription(
            customer,
            "trialing",
            metadata={"plan": "pro"},
            trial_end=now + 86400,
            default_payment_method="pm_1",
        ),
        created=now,
    )
    assert billing.webhook(created).json()["outcome"] == "processed"
    state = billing.http.get(f"/v1/tenants/{tenant.id}/billing", headers=tenant.user).json()
    assert (state["status"], state["plan"], state["has_payment_method"]) == ("trialing", "pro", True)
    assert state["subscription_status"] == "trialing"
    assert (
        billing.webhook(
            stripe_event(
                "customer.subscription.trial_will_end", _subscription(customer, "trialing"), created=now + 1
            )
        ).json()["outcome"]
        == "processed"
    )
    converted = stripe_event(
        "customer.subscription.updated", _subscription(customer, "active"), created=now + 2
    )
    assert billing.webhook(converted).json()["outcome"] == "processed"
    assert billing.status(tenant) == "active"
    assert tenant.publish().status_code == 201
    deleted = stripe_event(
        "customer.subscription.deleted", _subscription(customer, "canceled"), created=now + 3
    )
    assert billing.webhook(deleted).json()["outcome"] == "processed"
    assert billing.status(tenant) == "canceled"
    refused = tenant.publish()
    assert refused.status_code == 403
    assert refused.json()["code"] == "tenant_suspended"
    actions = [a for a, actor, _ in _audit(billing, tenant) if actor == "stripe"]
    assert "tenant.plan_changed" in actions
    assert "billing.trial_will_end" in actions
    assert actions.count("tenant.status_changed") == 2


def test_an_operator_suspension_outlasts_a_payment(billing: Billing) -> None:
    tenant = billing.tenant()
    customer = billing.link_customer(tenant)
    assert (
        billing.http.post(
            f"/v1/tenants/{tenant.id}/suspend", json={"reason": "abuse"}, headers=billing.operator
        ).status_code
        == 200
    )
    paid = stripe_event("customer.subscription.updated", _subscription(customer, "active"))
    assert billing.webhook(paid).json()["outcome"] == "processed"
    assert billing.status(tenant) == "suspended"


async def test_dunning_and_trials_end_in_suspension_and_payment_restores(
    billing: Billing, db: Database, nats_server: EmbeddedNats
) -> None:
    """past_due → suspended after the grace; trial over without a payment method → suspended;
    nothing is deleted, and a payment (or subscription turning active) restores service."""
    broker = await JetStreamBroker.connect([nats_server.url])
    control = ControlBus(broker.nc)
    sweeper = Sweeper(db, control, trial_days=14, grace_days=3)
    try:
        dunned = await asyncio.to_thread(billing.tenant)
        customer = await asyncio.to_thread(billing.link_customer, dunned)
        failed = stripe_event("invoice.payment_failed", {"id": "in_9", "customer": customer})
        assert (await asyncio.to_thread(billing.webhook, failed)).json()["outcome"] == "processed"
        assert await asyncio.to_thread(billing.status, dunned) == "past_due"
        assert (await asyncio.to_thread(dunned.publish)).status_code == 201  # served in the grace
        await sweeper.sweep_once(datetime.now(UTC) + timedelta(days=2))
        assert await asyncio.to_thread(billing.status, dunned) == "past_due"
        await sweeper.sweep_once(datetime.now(UTC) + timedelta(days=3, hours=1))
        assert await asyncio.to_thread(billing.status, dunned) == "suspended"
        assert (await asyncio.to_thread(dunned.publish)).status_code == 403
        paid = stripe_event("invoice.paid", {"id": "in_9", "customer": customer})
        assert (await asyncio.to_thread(billing.webhook, paid)).json()["outcome"] == "processed"
        assert await asyncio.to_thread(billing.status, dunned) == "active"
        assert (await asyncio.to_thread(dunned.publish)).status_code == 201

        trial = await asyncio.to_thread(billing.tenant)
        assert (await asyncio.to_thread(trial.publish)).status_code == 201
        await sweeper.sweep_once(datetime.now(UTC) + timedelta(days=13))
        assert await asyncio.to_thread(billing.status, trial) == "trialing"
        changes = await sweeper.sweep_once(datetime.now(UTC) + timedelta(days=14, hours=1))
        assert uuid.UUID(trial.id) in {c.tenant_id for c in changes}
        assert await asyncio.to_thread(billing.status, trial) == "suspended"
        refused = await asyncio.to_thread(trial.publish)
        assert refused.json()["code"] == "tenant_suspended"
        # Nothing was deleted: the event published in the trial is still there.
        history = await asyncio.to_thread(
            billing.http.get,
            f"/v1/projects/{trial.project_id}/events",
            headers={"authorization": f"Bearer {trial.key}"},
        )
        assert len(history.json()["items"]) == 1
        # Checkout completed: the subscription turns active, service is restored.
        customer = await asyncio.to_thread(billing.link_customer, trial)
        active = stripe_event(
            "customer.subscription.created", _subscription(customer, "active", default_payment_method="pm_2")
        )
        assert (await asyncio.to_thread(billing.webhook, active)).json()["outcome"] == "processed"
        assert await asyncio.to_thread(billing.status, trial) == "active"
        assert (await asyncio.to_thread(trial.publish)).status_code == 201

        # A trial tenant with a payment method on file converts through Stripe instead.
        converting = await asyncio.to_thread(billing.tenant)
        await asyncio.to_thread(billing.link_customer, converting, None, has_payment_method=True)
        await sweeper.sweep_once(datetime.now(UTC) + timedelta(days=15))
        assert await asyncio.to_thread(billing.status, converting) == "trialing"
    finally:
        await control.close()
        await broker.close()
