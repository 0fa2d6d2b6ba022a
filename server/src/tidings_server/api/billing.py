"""Tag `billing`: plans, usage, the kill switch, Stripe links and webhooks."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of
from tidings_server.auth.principal import Principal
from tidings_server.auth.rbac import Permission
from tidings_server.billing.errors import BillingNotConfigured, WebhookSignatureInvalid
from tidings_server.billing.ledger import daily_usage, export_rows, period_totals
from tidings_server.billing.metering import GAUGES
from tidings_server.billing.plans import PlanLimits
from tidings_server.billing.rawbody import RAW_BODY
from tidings_server.billing.status import ensure_account, set_project_suspended, set_tenant_status
from tidings_server.billing.webhooks import verify_signature
from tidings_server.errors import Forbidden, NotFound, RequestError
from tidings_server.identity.access import authorize_project, authorize_tenant
from tidings_server.identity.context import caller_of
from tidings_server.observability.metrics import STRIPE_WEBHOOKS
from tidings_server.services import services_of
from tidings_server.store.models import BillingAccount, Tenant
from tidings_server.store.repo import TenantScope

__all__ = [
    "WEBHOOK_PATH",
    "create_checkout",
    "create_portal",
    "export_usage",
    "get_billing",
    "list_plans",
    "project_usage",
    "put_plan",
    "put_tenant_plan",
    "resume_project",
    "resume_tenant",
    "stripe_webhook",
    "suspend_project",
    "suspend_tenant",
    "tenant_usage",
]

WEBHOOK_PATH = "/v1/billing/stripe/webhook"
MAX_RANGE_DAYS = 400
CSV_COLUMNS = ("day", "project_id", "metric", "quantity", "kind")
# Stripe wants a Checkout trial to end at least 48 hours ahead; a shorter rest is dropped.
MIN_CHECKOUT_TRIAL = timedelta(hours=49)
# Monthly limits and the metric each counts.
_MONTHLY = {"events_per_month": "events_published", "deliveries_per_month": "messages_delivered"}


def _require_operator(principal: Principal) -> None:
    if principal.kind != "user" or not principal.operator:
        raise Forbidden("only platform operators may do this")


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestError(
            f"`{name}` must be a date (YYYY-MM-DD)",
            code="validation_failed",
            errors=[{"pointer": name, "message": "not a date"}],
        ) from None


def _range(start: str | None, end: str | None) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    first = _day(start, "start") if start is not None else today.replace(day=1)
    last = _day(end, "end") if end is not None else max(today, first)
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise RequestError(
            f"`end` must be on or after `start`, at most {MAX_RANGE_DAYS} days later",
            code="invalid_usage_range",
            errors=[{"pointer": "end", "message": "out of range"}],
        )
    return first, last


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def _billing_state(scope: TenantScope) -> dict[str, Any]:
    tenant = await scope.tenant()
    if tenant is None:
        raise NotFound("no such tenant")
    account = await scope.session.get(BillingAccount, scope.tenant_id)
    sweeper = services_of(request).billing.sweeper
    trial_end = sweeper.trial_end(tenant, account) if tenant.status == "trialing" else None
    if account is not None and account.trial_ends_at is not None:
        trial_end = account.trial_ends_at
    return {
        "tenant_id": str(tenant.id),
        "status": tenant.status,
        "plan": tenant.plan,
        "trial_ends_at": _stamp(trial_end),
        "suspended_reason": account.suspended_reason if account else None,
        "subscription_status": account.subscription_status if account else None,
        "past_due_since": _stamp(account.past_due_since) if account else None,
        "has_stripe_customer": bool(account and account.stripe_customer_id),
        "has_payment_method": bool(account and account.has_payment_method),
    }


# --- plans ---------------------------------------------------------------------------------


async def list_plans(token_info: dict[str, Any]) -> Response:
    plans = await services_of(request).billing.plans.all()
    return json_response({"items": [p.to_json() for p in plans]})


async def put_plan(token_info: dict[str, Any], plan_name: str, body: dict[str, Any]) -> Response:
    principal = principal_of(token_info)
    _require_operator(principal)
    caller = caller_of(request, token_info)
    audit = {
        "actor_type": caller.actor[0],
        "actor_id": caller.actor[1],
        "action": "plan.updated",
        "target_type": "plan",
        "target_id": plan_name,
        "request_id": caller.request_id,
        "source_ip": caller.source_ip,
        "details": body,
    }
    plan = await services_of(request).billing.plans.update(plan_name, body, audit=audit)
    return json_response(plan.to_json())


async def put_tenant_plan(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    _require_operator(principal_of(token_info))
    services = services_of(request)
    if await services.billing.plans.get(body["plan"]) is None:
        raise NotFound(f"no plan named {body['plan']!r}")
    caller = caller_of(request, token_info)
    async with services.db.session() as session, session.begin():
        scope = TenantScope(session, uuid.UUID(tenant))
        before = await scope.tenant()
        if before is None:
            raise NotFound("no such tenant")
        previous = before.plan
        await scope.update_tenant(plan=body["plan"])
        await scope.audit(
            action="tenant.plan_changed",
            target=("tenant", tenant),
            details={"from": previous, "to": body["plan"]},
            **caller.audit_fields(),
        )
        state = await _billing_state(scope)
    await services.billing.plans.announce(uuid.UUID(tenant))
    return json_response(state)


# --- kill switch ---------------------------------------------------------------------------


async def suspend_tenant(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    return await _set_tenant(token_info, tenant, suspend=True, body=body)


async def resume_tenant(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    return await _set_tenant(token_info, tenant, suspend=False, body=body)


async def _set_tenant(
    token_info: dict[str, Any], tenant: str, *, suspend: bool, body: dict[str, Any]
) -> Response:
    _require_operator(principal_of(token_info))
    services = services_of(request)
    caller = caller_of(request, token_info)
    async with services.db.session() as session, session.begin():
        scope = TenantScope(session, uuid.UUID(tenant))
        row = await session.get(Tenant, scope.tenant_id, with_for_update=True)
        if row is None:
            raise NotFound("no such tenant")
        if suspend:
            status, reason, action = "suspended", body.get("reason", "operator"), "tenant.suspended"
        else:
            status, reason, action = (
                await _resume_status(scope, row, body.get("status")),
                None,
                "tenant.resumed",
            )
        details = {"note": body["note"]} if body.get("note") else None
        change = await set_tenant_status(
            scope, status, reason=reason, action=action, details=details, **caller.audit_fields()
        )
        state = await _billing_state(scope)
    if change is not None:
        await change.announce(services.control)
    return json_response(state)


async def _resume_status(scope: TenantScope, tenant: Tenant, wanted: str | None) -> str:
    if wanted:
        return wanted
    account = await ensure_account(scope.session, scope.tenant_id)
    if account.subscription_status in ("active", "past_due"):
        return "active"
    trial_end = services_of(request).billing.sweeper.trial_end(tenant, account)
    return "trialing" if trial_end > datetime.now(UTC) and tenant.plan == "trial" else "active"


async def suspend_project(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    return await _set_project(token_info, project, True, body.get("reason", "operator"))


async def resume_project(token_info: dict[str, Any], project: str) -> Response:
    return await _set_project(token_info, project, False, None)


async def _set_project(
    token_info: dict[str, Any], project: str, suspend: bool, reason: str | None
) -> Response:
    principal = principal_of(token_info)
    _require_operator(principal)
    services = services_of(request)
    caller = caller_of(request, token_info)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(session, principal, uuid.UUID(project), Permission.TENANT_UPDATE)
        change = await set_project_suspended(scope, row.id, suspend, reason=reason, **caller.audit_fields())
    assert change is not None
    await change.announce(services.control)
    return json_response({"id": str(row.id), "tenant_id": str(row.tenant_id), "suspended": suspend})


# --- usage ---------------------------------------------------------------------------------


async def _usage(scope: TenantScope, first: date, last: date, project_id: uuid.UUID | None) -> dict[str, Any]:
    services = services_of(request)
    session = scope.session
    days: dict[date, dict[str, int]] = {}
    for row in await daily_usage(session, scope.tenant_id, start=first, end=last, project_id=project_id):
        days.setdefault(row.day, {})[row.metric] = row.quantity
    totals = await period_totals(session, scope.tenant_id, start=first, end=last, project_id=project_id)
    today = datetime.now(UTC).date()
    month = today.replace(day=1)
    month_totals = await period_totals(session, scope.tenant_id, start=month, end=today)
    plan = await services.billing.plans.for_tenant(scope.tenant_id)
    projects = await scope.count_projects()
    body: dict[str, Any] = {
        "tenant_id": str(scope.tenant_id),
        "start": first.isoformat(),
        "end": last.isoformat(),
        "days": [{"day": d.isoformat(), "metrics": m} for d, m in sorted(days.items())],
        "totals": totals,
        "plan": plan.name,
        "month": {"start": month.isoformat(), "totals": month_totals},
        "limits": _limits(plan, month_totals, projects),
    }
    if project_id is not None:
        body["project_id"] = str(project_id)
    return body


def _limits(plan: PlanLimits, month: dict[str, int], projects: int) -> list[dict[str, Any]]:
    used = {
        **{limit: month.get(metric, 0) for limit, metric in _MONTHLY.items()},
        "peak_connections": month.get("peak_connections", 0),
        "max_projects": projects,
    }
    out = []
    for limit in (*_MONTHLY, "peak_connections", "max_projects"):
        maximum = getattr(plan, limit)
        if maximum is None:
            continue
        ratio = used[limit] / maximum if maximum else (1.0 if used[limit] else 0.0)
        out.append(
            {
                "limit": limit,
                "used": used[limit],
                "max": maximum,
                "ratio": round(ratio, 6),
                "warning": ratio >= plan.warn_ratio,
                "reached": used[limit] >= maximum,
            }
        )
    return out


async def tenant_usage(
    token_info: dict[str, Any], tenant: str, start: str | None = None, end: str | None = None
) -> Response:
    async with services_of(request).db.session() as session:
        scope = TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.USAGE_READ)
        first, last = _range(start, end)
        return json_response(await _usage(scope, first, last, None))


async def project_usage(
    token_info: dict[str, Any], project: str, start: str | None = None, end: str | None = None
) -> Response:
    async with services_of(request).db.session() as session:
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.USAGE_READ
        )
        first, last = _range(start, end)
        return json_response(await _usage(scope, first, last, row.id))


async def export_usage(
    token_info: dict[str, Any], tenant: str, start: str | None = None, end: str | None = None
) -> Response:
    async with services_of(request).db.session() as session:
        scope = TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.USAGE_READ)
        first, last = _range(start, end)
        rows = await export_rows(session, scope.tenant_id, start=first, end=last)
    table = [
        {
            "day": day.isoformat(),
            "project_id": str(project_id),
            "metric": metric,
            "quantity": quantity,
            "kind": "max" if metric in GAUGES else "sum",
        }
        for day, project_id, metric, quantity in rows
    ]
    if not _prefers_csv(request.headers.get("accept", "")):
        return json_response(
            {"tenant_id": tenant, "start": first.isoformat(), "end": last.isoformat(), "rows": table}
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    filename = f"usage-{tenant}-{first:%Y%m%d}-{last:%Y%m%d}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _prefers_csv(accept: str) -> bool:
    csv_at, json_at = accept.find("text/csv"), accept.find("application/json")
    return csv_at != -1 and (json_at == -1 or csv_at < json_at)


async def get_billing(token_info: dict[str, Any], tenant: str) -> Response:
    async with services_of(request).db.session() as session:
        scope = TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.USAGE_READ)
        return json_response(await _billing_state(scope))


# --- Stripe --------------------------------------------------------------------------------


async def _customer(scope: TenantScope, tenant: Tenant, email: str | None) -> str:
    """The tenant's Stripe customer, created on first use (the account row stays locked until
    the caller commits, and Stripe's idempotency key is the tenant id: one customer, ever)."""
    stripe = services_of(request).billing.stripe
    assert stripe is not None
    account = await ensure_account(scope.session, scope.tenant_id)
    if account.stripe_customer_id is None:
        account.stripe_customer_id = await stripe.create_customer(tenant.id, tenant.name, email)
    return account.stripe_customer_id


async def _stripe_session(
    token_info: dict[str, Any],
    tenant: str,
    make: Any,
    check: Callable[[], Awaitable[None]] | None = None,
) -> Response:
    """Authorize first (a viewer, another tenant's owner, a random tenant id: 403/404, never a
    word about this server's billing), then check the request (`check`), then talk to Stripe."""
    services = services_of(request)
    caller = caller_of(request, token_info)
    async with services.db.session() as session, session.begin():
        scope = TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.BILLING_MANAGE)
        row = await scope.tenant()
        if row is None:
            raise NotFound("no such tenant")
        if services.billing.stripe is None:
            raise BillingNotConfigured("this server has no Stripe key")
        if check is not None:
            await check()
        customer = await _customer(scope, row, None)
        url, action = await make(scope, row, customer)
        await scope.audit(action=action, target=("tenant", tenant), **caller.audit_fields())
    return json_response({"url": url})


async def create_checkout(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    billing = services_of(request).billing
    chosen: list[PlanLimits] = []

    async def check() -> None:
        plan = await billing.plans.get(body["plan"])
        if plan is None:
            raise NotFound(f"no plan named {body['plan']!r}")
        if not plan.stripe_price_ids:
            raise BillingNotConfigured(f"the plan {plan.name!r} has no Stripe price")
        chosen.append(plan)

    async def make(scope: TenantScope, row: Tenant, customer: str) -> tuple[str, str]:
        assert billing.stripe is not None
        plan = chosen[0]
        account = await ensure_account(scope.session, scope.tenant_id)
        trial_end = None
        if row.status == "trialing":
            end = billing.sweeper.trial_end(row, account)
            if end - datetime.now(UTC) >= MIN_CHECKOUT_TRIAL:
                trial_end = int(end.timestamp())
        url = await billing.stripe.checkout_url(
            customer_id=customer,
            tenant_id=row.id,
            plan=plan.name,
            price_ids=plan.stripe_price_ids,
            success_url=body["success_url"],
            cancel_url=body["cancel_url"],
            trial_end=trial_end,
        )
        return url, "billing.checkout_created"

    return await _stripe_session(token_info, tenant, make, check)


async def create_portal(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    billing = services_of(request).billing

    async def make(scope: TenantScope, row: Tenant, customer: str) -> tuple[str, str]:
        assert billing.stripe is not None
        return await billing.stripe.portal_url(customer_id=customer, return_url=body["return_url"]), (
            "billing.portal_created"
        )

    return await _stripe_session(token_info, tenant, make)


async def stripe_webhook(body: Any) -> Response:
    billing = services_of(request).billing
    secrets = billing.webhook_secrets
    if not secrets:
        raise BillingNotConfigured("this server has no Stripe webhook secret")
    raw = request.scope.get("state", {}).get(RAW_BODY)
    if not isinstance(raw, bytes):
        raise WebhookSignatureInvalid("the raw body was not kept")
    try:
        verify_signature(raw, request.headers.get("stripe-signature"), secrets)
    except WebhookSignatureInvalid:
        STRIPE_WEBHOOKS.labels("invalid_signature").inc()
        raise
    try:
        event = orjson.loads(raw)
        if not isinstance(event, dict):
            raise ValueError("the body is not a JSON object")
        outcome = await billing.webhooks.process(event)
    except ValueError as exc:
        STRIPE_WEBHOOKS.labels("error").inc()
        raise RequestError(str(exc), code="validation_failed") from None
    return json_response({"received": True, "outcome": outcome})
