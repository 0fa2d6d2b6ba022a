"""Who may publish and read events of a project.

- API keys and client tokens act on their own project only, and a scope (`publish`,
  `subscribe`, `history`) must cover the topic or pattern: `allows(grants, scope, pattern)`.
- Users read history and manage the pipeline through their role (tidings_server.auth.rbac);
  they never publish or consume (that is a credential of an application, not a person).

A project that does not exist is 404; one that is not the caller's is 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from tidings_server.auth import grants
from tidings_server.auth.principal import Principal
from tidings_server.auth.rbac import Permission
from tidings_server.errors import Forbidden, NotFound
from tidings_server.identity.access import authorize_project
from tidings_server.store.db import Database
from tidings_server.store.repo import find_project

__all__ = ["authorize_scope"]


async def authorize_scope(
    db: Database, principal: Principal, project_id: uuid.UUID, scope: str, patterns: Iterable[str]
) -> uuid.UUID:
    """The project's tenant id, if `principal` may use `scope` on every pattern; else 403/404."""
    if principal.kind == "user":
        if scope != "history":
            raise Forbidden(f"`{scope}` needs an API key or a client token")
        async with db.session() as session:
            _, project = await authorize_project(session, principal, project_id, Permission.PROJECTS_READ)
        return project.tenant_id
    if principal.project_id != project_id or principal.tenant_id is None:
        async with db.session() as session:
            if await find_project(session, project_id) is None:
                raise NotFound("no such project")
        raise Forbidden("this credential belongs to another project")
    for pattern in patterns:
        if not grants.allows(principal.grants, scope, pattern):
            raise Forbidden(f"this credential has no `{scope}` grant covering {pattern!r}")
    return principal.tenant_id
