"""Tag `subscriptions`: durable (acknowledged) subscriptions and the dead-letter stream."""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, no_content, principal_of
from tidings_server.auth.rbac import Permission
from tidings_server.errors import NotFound
from tidings_server.events.access import authorize_scope
from tidings_server.identity.access import authorize_project
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of
from tidings_server.store.models import DurableSubscription

__all__ = [
    "ack",
    "create_subscription",
    "delete_subscription",
    "get_dead_letter",
    "get_subscription",
    "list_dead_letters",
    "list_subscriptions",
    "pull",
    "purge_dead_letters",
    "redrive_dead_letter",
]


def _view(row: DurableSubscription) -> dict[str, Any]:
    return {
        "name": row.name,
        "topic": row.topic,
        "ack_wait_seconds": row.ack_wait_seconds,
        "max_deliveries": row.max_deliveries,
        "created_at": row.created_at.isoformat(),
    }


async def list_subscriptions(
    token_info: dict[str, Any], project: str, after: str | None = None, limit: int = 50
) -> Response:
    services = services_of(request)
    async with services.db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
        rows = await services.events.durable.list_page(
            session, row.tenant_id, row.id, after=after, limit=limit
        )
    body: dict[str, Any] = {"items": [_view(r) for r in rows[:limit]]}
    if len(rows) > limit:
        body["next_cursor"] = rows[limit - 1].name
    return json_response(body)


async def create_subscription(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        sub = await services.events.durable.create(
            session,
            row.tenant_id,
            row.id,
            name=body["name"],
            topic=body["topic"],
            ack_wait_seconds=body.get("ack_wait_seconds", 30),
            max_deliveries=body.get("max_deliveries", 5),
        )
        await scope.audit(
            action="subscription.created",
            target=("subscription", sub.name),
            details={"topic": sub.topic},
            **caller_of(request, token_info).audit_fields(),
        )
    return json_response(_view(sub), 201)


async def _subscription(
    token_info: dict[str, Any], project: str, name: str, permission: Permission
) -> DurableSubscription:
    services = services_of(request)
    async with services.db.session() as session:
        _, row = await authorize_project(session, principal_of(token_info), uuid.UUID(project), permission)
        sub = await services.events.durable.get(session, row.tenant_id, row.id, name)
    if sub is None:
        raise NotFound("no such subscription")
    return sub


async def get_subscription(token_info: dict[str, Any], project: str, subscription: str) -> Response:
    return json_response(
        _view(await _subscription(token_info, project, subscription, Permission.PROJECTS_READ))
    )


async def delete_subscription(token_info: dict[str, Any], project: str, subscription: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        sub = await services.events.durable.get(session, row.tenant_id, row.id, subscription)
        if sub is None:
            raise NotFound("no such subscription")
        await services.events.durable.delete(session, sub)
        await scope.audit(
            action="subscription.deleted",
            target=("subscription", subscription),
            **caller_of(request, token_info).audit_fields(),
        )
    return no_content()


async def _consumer(token_info: dict[str, Any], project: str, name: str) -> DurableSubscription:
    services = services_of(request)
    project_id = uuid.UUID(project)
    tenant_id = await authorize_scope(services.db, principal_of(token_info), project_id, "subscribe", [])
    async with services.db.session() as session:
        sub = await services.events.durable.get(session, tenant_id, project_id, name)
    if sub is None:
        raise NotFound("no such subscription")
    await authorize_scope(services.db, principal_of(token_info), project_id, "subscribe", [sub.topic])
    return sub


async def pull(token_info: dict[str, Any], project: str, subscription: str, body: dict[str, Any]) -> Response:
    sub = await _consumer(token_info, project, subscription)
    pulled = await services_of(request).events.durable.pull(
        sub, batch=body.get("max_events", 10), wait=body.get("wait_ms", 0) / 1000
    )
    return json_response(
        {
            "items": [
                {"event": p.event.to_json(), "ack_token": p.ack_token, "deliveries": p.deliveries}
                for p in pulled
            ]
        }
    )


async def ack(token_info: dict[str, Any], project: str, subscription: str, body: dict[str, Any]) -> Response:
    sub = await _consumer(token_info, project, subscription)
    await services_of(request).events.durable.ack(sub, body["ack_tokens"], action=body.get("action", "ack"))
    return no_content()


async def list_dead_letters(
    token_info: dict[str, Any],
    project: str,
    subscription: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Response:
    services = services_of(request)
    async with services.db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
    letters, more = await services.events.dead_letters.list_page(
        row.id, subscription=subscription, after=int(after or 0), limit=limit
    )
    body: dict[str, Any] = {"items": [letter.to_json() for letter in letters]}
    if more and letters:
        body["next_cursor"] = str(letters[-1].id)
    return json_response(body)


async def get_dead_letter(token_info: dict[str, Any], project: str, dead_letter: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
    return json_response((await services.events.dead_letters.get(row.id, int(dead_letter))).to_json())


async def redrive_dead_letter(token_info: dict[str, Any], project: str, dead_letter: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        letter = await services.events.dead_letters.redrive(row.id, int(dead_letter))
        await scope.audit(
            action="dead_letter.redriven",
            target=("dead_letter", dead_letter),
            details={"subscription": letter.subscription, "event_id": letter.event.id},
            **caller_of(request, token_info).audit_fields(),
        )
    return json_response(letter.to_json())


async def purge_dead_letters(
    token_info: dict[str, Any], project: str, subscription: str | None = None
) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        purged = await services.events.dead_letters.purge(row.id, subscription=subscription)
        await scope.audit(
            action="dead_letter.purged",
            target=("project", project),
            details={"subscription": subscription, "purged": purged},
            **caller_of(request, token_info).audit_fields(),
        )
    return json_response({"purged": purged})
