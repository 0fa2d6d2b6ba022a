"""Tag `tenants`."""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of, views
from tidings_server.auth.rbac import Permission
from tidings_server.errors import NotFound, RequestError
from tidings_server.identity.access import authorize_tenant
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of
from tidings_server.store import repo
from tidings_server.store.pagination import encode_cursor

__all__ = ["create_tenant", "get_tenant", "list_tenants", "update_tenant"]


async def list_tenants(token_info: dict[str, Any], limit: int = 50, after: str | None = None) -> Response:
    principal = principal_of(token_info)
    assert principal.user_id is not None
    async with services_of(request).db.session() as session:
        if principal.operator:
            tenants = await repo.list_all_tenants(session, after=after, limit=limit)
            return json_response(views.page(tenants, limit, views.tenant))
        rows = await repo.list_user_tenants(session, principal.user_id, after=after, limit=limit)
    return json_response(
        views.page(
            rows, limit, lambda r: views.tenant(r[0], r[1]), lambda r: encode_cursor(r[0].created_at, r[0].id)
        )
    )


async def create_tenant(token_info: dict[str, Any], body: dict[str, Any]) -> Response:
    principal = principal_of(token_info)
    assert principal.user_id is not None
    caller = caller_of(request, token_info)
    async with services_of(request).db.session() as session, session.begin():
        if await repo.get_tenant_by_slug(session, body["slug"]) is not None:
            raise RequestError(f"the tenant slug {body['slug']!r} is taken", code="conflict")
        tenant = await repo.create_tenant(session, slug=body["slug"], name=body["name"])
        scope = repo.TenantScope(session, tenant.id)
        await scope.add_member(principal.user_id, "owner")
        await scope.audit(action="tenant.created", target=("tenant", str(tenant.id)), **caller.audit_fields())
    return json_response(views.tenant(tenant, "owner"), 201)


async def get_tenant(token_info: dict[str, Any], tenant: str) -> Response:
    async with services_of(request).db.session() as session:
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        role = await authorize_tenant(scope, principal_of(token_info), Permission.TENANT_READ)
        row = await scope.tenant()
    if row is None:
        raise NotFound("no such tenant")
    return json_response(views.tenant(row, role))


async def update_tenant(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    caller = caller_of(request, token_info)
    async with services_of(request).db.session() as session, session.begin():
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        role = await authorize_tenant(scope, principal_of(token_info), Permission.TENANT_UPDATE)
        row = await scope.update_tenant(**body)
        if row is None:
            raise NotFound("no such tenant")
        await scope.audit(
            action="tenant.updated", target=("tenant", tenant), details=body, **caller.audit_fields()
        )
    return json_response(views.tenant(row, role))
