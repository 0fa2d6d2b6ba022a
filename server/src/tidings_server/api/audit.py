"""Tag `audit`."""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, principal_of, views
from tidings_server.auth.rbac import Permission
from tidings_server.identity.access import authorize_tenant
from tidings_server.services import services_of
from tidings_server.store import repo

__all__ = ["list_audit"]


async def list_audit(
    token_info: dict[str, Any],
    tenant: str,
    limit: int = 50,
    after: str | None = None,
    action: str | None = None,
) -> Response:
    async with services_of(request).db.session() as session:
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.AUDIT_READ)
        before_id = int(after) if after is not None else None
        rows = await scope.audit_entries(before_id=before_id, limit=limit, action=action)
    return json_response(views.page(rows, limit, views.audit_entry, lambda r: str(r.id)))
