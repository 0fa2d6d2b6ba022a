"""Tag `schemas`: the per-project topic schema registry."""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of
from tidings_server.auth.rbac import Permission
from tidings_server.errors import NotFound
from tidings_server.events.schemas import SchemaRegistry
from tidings_server.identity.access import authorize_project
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of
from tidings_server.store.models import TopicSchema

__all__ = ["deprecate_schema", "get_schema", "list_schemas", "register_schema"]


def _view(row: TopicSchema) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row.id),
        "topic": row.topic,
        "version": row.version,
        "schema": row.schema,
        "status": "deprecated" if row.deprecated_at else "active",
        "created_at": row.created_at.isoformat(),
    }
    if row.description:
        body["description"] = row.description
    if row.deprecated_at:
        body["deprecated_at"] = row.deprecated_at.isoformat()
    return body


async def list_schemas(
    token_info: dict[str, Any],
    project: str,
    topic: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Response:
    async with services_of(request).db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
        position = None
        if after:
            version, _, after_topic = after.partition(".")
            position = (after_topic, int(version))
        rows = await SchemaRegistry.list_versions(
            session, row.tenant_id, row.id, topic=topic, after=position, limit=limit
        )
    body: dict[str, Any] = {"items": [_view(r) for r in rows[:limit]]}
    if len(rows) > limit:
        last = rows[limit - 1]
        body["next_cursor"] = f"{last.version}.{last.topic}"
    return json_response(body)


async def register_schema(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        schema = await SchemaRegistry.register(
            session,
            row.tenant_id,
            row.id,
            topic=body["topic"],
            schema=body["schema"],
            description=body.get("description"),
            compatibility=body.get("compatibility", "backward"),
        )
        await scope.audit(
            action="schema.registered",
            target=("topic_schema", str(schema.id)),
            details={"topic": schema.topic, "version": schema.version},
            **caller_of(request, token_info).audit_fields(),
        )
    await services.events.schemas_changed(row.id)
    return json_response(_view(schema), 201)


async def get_schema(token_info: dict[str, Any], project: str, schema_id: str) -> Response:
    async with services_of(request).db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
        schema = await SchemaRegistry.get(session, row.tenant_id, row.id, uuid.UUID(schema_id))
    if schema is None:
        raise NotFound("no such schema")
    return json_response(_view(schema))


async def deprecate_schema(token_info: dict[str, Any], project: str, schema_id: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        schema = await SchemaRegistry.get(session, row.tenant_id, row.id, uuid.UUID(schema_id))
        if schema is None:
            raise NotFound("no such schema")
        schema = await SchemaRegistry.deprecate(session, schema)
        await scope.audit(
            action="schema.deprecated",
            target=("topic_schema", schema_id),
            details={"topic": schema.topic, "version": schema.version},
            **caller_of(request, token_info).audit_fields(),
        )
    await services.events.schemas_changed(row.id)
    return json_response(_view(schema))
