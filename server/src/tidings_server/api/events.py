"""Tag `events`: publish, replay by cursor, retention."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of
from tidings_server.auth.limits import charge_api_key
from tidings_server.auth.rbac import Permission
from tidings_server.errors import RequestError
from tidings_server.events.access import authorize_scope
from tidings_server.events.publish import EventInput
from tidings_server.events.retention import Policy, bounds_for, load_policy, save_policy
from tidings_server.identity.access import authorize_project
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of

__all__ = ["get_retention", "list_events", "publish_event", "publish_events", "put_retention"]


_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")


def _traceparent(value: str | None) -> str | None:
    return value if value is not None and _TRACEPARENT.fullmatch(value) else None


def _inputs(events: list[dict[str, Any]]) -> list[EventInput]:
    return [EventInput(topic=e["topic"], data=e.get("data"), id=e.get("id")) for e in events]


async def _publish(
    token_info: dict[str, Any], project: str, events: list[dict[str, Any]], batch: bool
) -> list[Any]:
    services = services_of(request)
    project_id = uuid.UUID(project)
    tenant_id = await authorize_scope(
        services.db, principal_of(token_info), project_id, "publish", {e["topic"] for e in events}
    )
    # Suspension, the plan's publish rate and monthly allowance (billing).
    admission = await services.billing.admit_publish(tenant_id, project_id, len(events))
    try:
        published = await services.events.publisher.publish(
            tenant_id,
            project_id,
            _inputs(events),
            idempotency_key=request.headers.get("idempotency-key"),
            batch=batch,
            # W3C trace context is a transport header (not declared per operation); a malformed
            # one is not stored.
            traceparent=_traceparent(request.headers.get("traceparent")),
        )
    except BaseException:
        admission.settle(0)
        raise
    # Duplicates answered from the window were not stored: they use none of the allowance.
    admission.settle(sum(1 for p in published if not p.duplicate))
    return published


async def publish_event(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    published = await _publish(token_info, project, [body], batch=False)
    return json_response(published[0].to_json(), 201)


async def publish_events(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    # A batch of N events costs N requests of the key's rate (the middleware spent the first).
    await charge_api_key(services_of(request), principal_of(token_info), len(body["events"]) - 1)
    published = await _publish(token_info, project, body["events"], batch=True)
    return json_response({"items": [p.to_json() for p in published]}, 201)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise RequestError(
            "`since` must be an RFC 3339 date-time with a time zone",
            code="validation_failed",
            errors=[{"pointer": "since", "message": "not an RFC 3339 date-time"}],
        )
    return stamp


async def list_events(
    token_info: dict[str, Any],
    project: str,
    topic: str | None = None,
    after: str | None = None,
    before: str | None = None,
    since: str | None = None,
    limit: int = 100,
) -> Response:
    services = services_of(request)
    project_id = uuid.UUID(project)
    await authorize_scope(services.db, principal_of(token_info), project_id, "history", [topic or ">"])
    start = _since(since)
    page = await services.events.history.read(
        project_id, after=after, before=before, since=start, topic=topic, limit=limit
    )
    return json_response(
        {"items": [e.to_json() for e in page.events], "next_cursor": page.next_cursor, "has_more": page.more}
    )


async def _retention_state(project_id: uuid.UUID, policy: Policy) -> dict[str, Any]:
    events = services_of(request).events
    state = await events.streams.state(project_id)
    return {
        "policy": policy.to_json(),
        "stored_events": state.messages,
        "stored_bytes": state.bytes,
        "oldest_cursor": events.history.cursor_at(project_id, state.epoch, state.first_seq - 1),
    }


async def get_retention(token_info: dict[str, Any], project: str) -> Response:
    async with services_of(request).db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
        policy = await load_policy(session, row.tenant_id, row.id)
    return json_response(await _retention_state(row.id, policy))


async def put_retention(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    policy = Policy(body["max_age_seconds"], body["max_events"], body["max_bytes"])
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        tenant = await scope.tenant()
        bounds = bounds_for(tenant.plan if tenant else "")
        plan = await services.billing.plans.get(tenant.plan) if tenant else None
        if plan is not None and plan.retention_max_age_seconds is not None:
            bounds = Policy(
                min(bounds.max_age_seconds, plan.retention_max_age_seconds),
                bounds.max_events,
                bounds.max_bytes,
            )
        over = [
            {"pointer": f"/{name}", "message": f"over the plan's bound of {bound}"}
            for name, bound in bounds.to_json().items()
            if body[name] > bound
        ]
        if over:
            raise RequestError(
                "the policy is over the plan's bounds", code="plan_bound_exceeded", errors=over
            )
        await save_policy(session, row.tenant_id, row.id, policy)
        await scope.audit(
            action="retention.updated",
            target=("project", project),
            details=policy.to_json(),
            **caller_of(request, token_info).audit_fields(),
        )
        # Last, inside the transaction: if JetStream refuses, the stored policy rolls back.
        await services.events.streams.apply(row.id, policy)
    return json_response(await _retention_state(row.id, policy))
