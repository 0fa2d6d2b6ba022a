"""Tag `projects`."""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of, views
from tidings_server.auth.rbac import Permission
from tidings_server.billing import check_project_limit
from tidings_server.errors import NotFound, RequestError
from tidings_server.identity.access import authorize_project, authorize_tenant
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of
from tidings_server.store import repo

__all__ = ["create_project", "get_project", "list_projects", "update_project"]


async def list_projects(
    token_info: dict[str, Any], tenant: str, limit: int = 50, after: str | None = None
) -> Response:
    async with services_of(request).db.session() as session:
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.PROJECTS_READ)
        rows = await scope.list_projects(after=after, limit=limit)
    return json_response(views.page(rows, limit, views.project))


async def create_project(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    caller = caller_of(request, token_info)
    async with services_of(request).db.session() as session, session.begin():
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.PROJECTS_WRITE)
        await check_project_limit(services_of(request).billing, scope)
        if await scope.get_project_by_slug(body["slug"]) is not None:
            raise RequestError(f"the project slug {body['slug']!r} is taken in this tenant", code="conflict")
        row = await scope.create_project(slug=body["slug"], name=body["name"], settings=body.get("settings"))
        await scope.audit(action="project.created", target=("project", str(row.id)), **caller.audit_fields())
    return json_response(views.project(row), 201)


async def get_project(token_info: dict[str, Any], project: str) -> Response:
    async with services_of(request).db.session() as session:
        _, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_READ
        )
    return json_response(views.project(row))


async def update_project(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    caller = caller_of(request, token_info)
    async with services_of(request).db.session() as session, session.begin():
        scope, current = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.PROJECTS_WRITE
        )
        values = dict(body)
        if "settings" in values:
            values["settings"] = {**current.settings, **values["settings"]}
        row = await scope.update_project(current.id, **values)
        if row is None:
            raise NotFound("no such project")
        await scope.audit(
            action="project.updated", target=("project", project), details=body, **caller.audit_fields()
        )
    return json_response(views.project(row))
