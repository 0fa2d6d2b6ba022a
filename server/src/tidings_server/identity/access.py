"""Authorization of admin operations through the permission matrix (tidings_server.auth.rbac).

- Users: their current role in the tenant (read now, never from a token) must hold the
  permission; platform operators hold every permission.
- API keys: only their own project, and only with the `admin` scope, for project management.
- Client tokens: no admin operation.

A project that does not exist is 404; one that exists but is not the caller's is 403.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.auth import grants
from tidings_server.auth.principal import Principal
from tidings_server.auth.rbac import Permission, can
from tidings_server.errors import Forbidden, NotFound
from tidings_server.store.models import Project
from tidings_server.store.repo import TenantScope, find_project

__all__ = ["authorize_project", "authorize_tenant"]


async def authorize_tenant(scope: TenantScope, principal: Principal, permission: Permission) -> str | None:
    """The caller's role in the scope's tenant, if it holds `permission`; else Forbidden."""
    if principal.kind != "user" or principal.user_id is None:
        raise Forbidden("this operation needs a signed-in user")
    role = await scope.role_of(principal.user_id)
    if not can(role, permission, operator=principal.operator):
        raise Forbidden(f"your role does not allow {permission}")
    if role is None and await scope.tenant() is None:
        raise NotFound("no such tenant")
    return role


async def authorize_project(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, permission: Permission
) -> tuple[TenantScope, Project]:
    project = await find_project(session, project_id)
    if project is None:
        raise NotFound("no such project")
    scope = TenantScope(session, project.tenant_id)
    if principal.kind == "api_key":
        if principal.project_id != project.id:
            raise Forbidden("an API key manages its own project only")
        if not grants.allows(principal.grants, "admin", ">"):
            raise Forbidden("this operation needs an API key with the `admin` scope")
        return scope, project
    await authorize_tenant(scope, principal, permission)
    return scope, project
