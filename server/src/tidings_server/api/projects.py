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
from tidings_server.identity.origins import announce_origins_changed, validate_rules
from tidings_server.services import services_of
from tidings_server.store import repo

__all__ = ["create_project", "get_project", "list_projects", "update_project"]


def _check_settings(settings: dict[str, Any] | None) -> None:
    """What the schema cannot say: each allowed origin parses as an origin rule, in full."""
    errors = validate_rules((settings or {}).get("allowed_origins") or [])
    if errors:
        raise RequestError("an allowed origin is invalid", code="validation_failed", errors=errors)


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
        _check_settings(body.get("settings"))
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
        _check_settings(body.get("settings"))
        values = dict(body)
        if "settings" in values:
            values["settings"] = {**current.settings, **values["settings"]}
        row = await scope.update_project(current.id, **values)
        if row is None:
            raise NotFound("no such project")
        await scope.audit(
            action="project.updated", target=("project", project), details=body, **caller.audit_fields()
        )
    if "allowed_origins" in body.get("settings", {}):
        # After the commit: every node drops its cached rules (preflights, handshakes).
        await announce_origins_changed(services_of(request).control, row.id)
    return json_response(views.project(row))
