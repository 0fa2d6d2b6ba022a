"""Stripe webhooks: verified on the raw body, processed exactly once, in order of creation.

Verification (`verify_signature`): the `Stripe-Signature` header is `t=<unix>,v1=<hex>[,v1=...]`;
a `v1` must equal HMAC-SHA256(secret, "<t>.<raw body>") for one of the configured secrets
(several while rotating), compared in constant time, and `t` must be within `TOLERANCE_SECONDS`
(300 s) of now — an older capture replayed is refused. Anything else is 400
`webhook_signature_invalid` and nothing is read from the body.

Processing (`WebhookProcessor.process`), in one transaction:
- the event id is inserted into `stripe_events`; if it is there already the delivery is a
  duplicate (Stripe retries, replays): answered 200, nothing changes;
- the tenant is found by the Stripe customer id; an unknown customer is recorded (`ignored`) and
  answered 200 so Stripe stops retrying;
- events older (Stripe `created`) than the newest one already applied to the tenant are recorded
  (`stale`) without rolling the state back: out-of-order delivery cannot undo a newer state;
- otherwise the status transition below is applied and audited (tidings_server.billing.status).

    customer.subscription.created/updated  status from the subscription: trialing, active,
                                           past_due, unpaid → suspended (payment), paused →
                                           suspended (trial_ended), canceled → canceled;
                                           plan from `metadata.plan` or the plan whose prices match
    customer.subscription.deleted          canceled
    customer.subscription.trial_will_end   audited only
    invoice.paid                           past_due, or suspended for payment → active
    invoice.payment_failed                 active/trialing → past_due (suspended after the grace)

After commit a change of serving is announced on the control bus (connections closed within a
second on every node) and a plan change drops the plan caches.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tidings_server.billing.errors import WebhookSignatureInvalid
from tidings_server.billing.plans import Plans
from tidings_server.billing.status import BILLING_REASONS, Change, ensure_account, set_tenant_status
from tidings_server.broker.control import ControlBus
from tidings_server.observability.metrics import STRIPE_WEBHOOKS
from tidings_server.store.db import Database
from tidings_server.store.models import BillingAccount, StripeEvent, Tenant
from tidings_server.store.repo import TenantScope

__all__ = ["HANDLED", "TOLERANCE_SECONDS", "WebhookProcessor", "sign_payload", "verify_signature"]

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300
HANDLED = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
_SUBSCRIPTION_STATUS = {
    "trialing": ("trialing", None),
    "active": ("active", None),
    "past_due": ("past_due", None),
    "unpaid": ("suspended", "payment"),
    "paused": ("suspended", "trial_ended"),
    "canceled": ("canceled", None),
    "incomplete_expired": ("canceled", None),
}
ACTOR = ("system", "stripe")
# Headers longer than this are not Stripe's (a few signatures of 64 hex digits).
_MAX_HEADER = 2048


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header Stripe would send (tests, tooling)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    payload: bytes, header: str | None, secrets: Sequence[str], *, now: float | None = None
) -> None:
    """Raise `WebhookSignatureInvalid` unless `header` signs `payload` recently enough."""
    if not header or len(header) > _MAX_HEADER or not secrets:
        raise WebhookSignatureInvalid("missing or malformed Stripe-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookSignatureInvalid("missing or malformed Stripe-Signature header")
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise WebhookSignatureInvalid("the signature's timestamp is outside the 300 s tolerance")
    signed = f"{timestamp}.".encode() + payload
    ok = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
        for signature in signatures:
            # Every comparison runs (no early exit): timing says nothing about which matched.
            ok |= hmac.compare_digest(expected, signature.encode("ascii", "replace"))
    if not ok:
        raise WebhookSignatureInvalid("no signature matches the body")


@dataclass(frozen=True, slots=True)
class Outcome:
    outcome: str  # processed, duplicate, ignored, stale
    change: Change | None = None
    plan_changed: uuid.UUID | None = None


def _event_fields(event: Mapping[str, Any]) -> tuple[str, str, int, dict[str, Any]]:
    """(id, type, created, data.object), or ValueError for a malformed event."""
    event_id, kind, created = event.get("id"), event.get("type"), event.get("created")
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 255:
        raise ValueError("`id` must be a string of 1 to 255 characters")
    if not isinstance(kind, str) or not 1 <= len(kind) <= 100:
        raise ValueError("`type` must be a string of 1 to 100 characters")
    if not isinstance(created, int) or isinstance(created, bool):
        raise ValueError("`created` must be an integer")
    if not isinstance(obj, dict):
        raise ValueError("`data.object` must be an object")
    return event_id, kind, created, obj


class WebhookProcessor:
    def __init__(self, db: Database, control: ControlBus, plans: Plans) -> None:
        self._db = db
        self._control = control
        self._plans = plans

    async def process(self, event: Mapping[str, Any]) -> str:
        """Apply one verified event; returns its outcome. ValueError if malformed."""
        event_id, kind, created, obj = _event_fields(event)
        result = await self._apply(event_id, kind, created, obj)
        STRIPE_WEBHOOKS.labels(result.outcome).inc()
        if result.change is not None:
            await result.change.announce(self._control)
        if result.plan_changed is not None:
            await self._plans.announce(result.plan_changed)
        return result.outcome

    async def _apply(self, event_id: str, kind: str, created: int, obj: dict[str, Any]) -> Outcome:
        customer = obj.get("customer")
        async with self._db.session() as session, session.begin():
            claimed = await session.execute(
                insert(StripeEvent)
                .values(event_id=event_id, type=kind, outcome="processing")
                .on_conflict_do_nothing()
                .returning(StripeEvent.event_id)
            )
            if claimed.first() is None:
                return Outcome("duplicate")
            account = None
            if isinstance(customer, str) and kind in HANDLED:
                account = (
                    await session.execute(
                        sa.select(BillingAccount)
                        .where(BillingAccount.stripe_customer_id == customer)
                        .with_for_update()
                    )
                ).scalar_one_or_none()
            result = Outcome("ignored")
            if account is not None:
                scope = TenantScope(session, account.tenant_id)
                result = await self._transition(scope, account, kind, created, obj, event_id)
            await session.execute(
                sa.update(StripeEvent)
                .where(StripeEvent.event_id == event_id)
                .values(outcome=result.outcome, tenant_id=account.tenant_id if account else None)
            )
        return result

    async def _transition(
        self,
        scope: TenantScope,
        account: BillingAccount,
        kind: str,
        created: int,
        obj: dict[str, Any],
        event_id: str,
    ) -> Outcome:
        if account.subscription_event_at is not None and created < account.subscription_event_at:
            await scope.audit(
                actor=ACTOR, action="billing.stale_event", details={"event": event_id, "type": kind}
            )
            return Outcome("stale")
        tenant = await scope.session.get(Tenant, scope.tenant_id, with_for_update=True)
        assert tenant is not None  # the account's foreign key
        sticky = tenant.status == "suspended" and account.suspended_reason not in BILLING_REASONS
        target: tuple[str, str | None] | None = None
        plan_changed = None
        details = {"event": event_id, "type": kind}

        if kind.startswith("customer.subscription."):
            account.stripe_subscription_id = _str(obj.get("id")) or account.stripe_subscription_id
            if kind == "customer.subscription.trial_will_end":
                await scope.audit(actor=ACTOR, action="billing.trial_will_end", details=details)
                account.subscription_event_at = created
                return Outcome("processed")
            status = "canceled" if kind.endswith(".deleted") else _str(obj.get("status"))
            account.subscription_status = status
            account.has_payment_method = bool(obj.get("default_payment_method")) or account.has_payment_method
            trial_end = obj.get("trial_end")
            if isinstance(trial_end, int) and not isinstance(trial_end, bool):
                account.trial_ends_at = datetime.fromtimestamp(trial_end, UTC)
            target = _SUBSCRIPTION_STATUS.get(status or "")
            plan = await self._plan_of(obj)
            if plan is not None and plan != tenant.plan and status not in ("canceled", "incomplete_expired"):
                await scope.update_tenant(plan=plan)
                await scope.audit(
                    actor=ACTOR,
                    action="tenant.plan_changed",
                    details={**details, "from": tenant.plan, "to": plan},
                )
                plan_changed = scope.tenant_id
        elif kind == "invoice.paid":
            if tenant.status == "past_due" or (
                tenant.status == "suspended" and account.suspended_reason == "payment"
            ):
                target = ("active", None)
        elif kind == "invoice.payment_failed" and tenant.status in ("active", "trialing"):
            target = ("past_due", None)
        account.subscription_event_at = created

        change = None
        if target is not None and not sticky and target[0] != tenant.status:
            change = await set_tenant_status(
                scope,
                target[0],
                reason=target[1],
                action="tenant.status_changed",
                actor=ACTOR,
                details=details,
            )
            if target[0] == "past_due":
                refreshed = await ensure_account(scope.session, scope.tenant_id)
                refreshed.past_due_since = refreshed.past_due_since or datetime.now(UTC)
        elif target is not None:
            await scope.audit(actor=ACTOR, action="billing.event", details={**details, "applied": False})
        else:
            await scope.audit(actor=ACTOR, action="billing.event", details=details)
        return Outcome("processed", change, plan_changed)

    async def _plan_of(self, subscription: Mapping[str, Any]) -> str | None:
        metadata = subscription.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("plan"), str):
            plan = metadata["plan"]
            return plan if await self._plans.get(plan) is not None else None
        prices: set[str] = set()
        items = subscription.get("items")
        for item in (items.get("data") if isinstance(items, dict) else None) or []:
            price = item.get("price") if isinstance(item, dict) else None
            if isinstance(price, dict) and isinstance(price.get("id"), str):
                prices.add(price["id"])
        if not prices:
            return None
        for plan in await self._plans.all():
            if prices & set(plan.stripe_price_ids):
                return plan.name
        return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
