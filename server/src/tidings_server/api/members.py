"""Tag `members`: members, roles, invitations."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, no_content, principal_of, views
from tidings_server.auth.rbac import Permission, assignable_roles
from tidings_server.errors import Forbidden, NotFound, RequestError, Unauthenticated
from tidings_server.identity.access import authorize_tenant
from tidings_server.identity.context import caller_of
from tidings_server.identity.sessions import INVITATION_TTL, token_digest
from tidings_server.services import services_of
from tidings_server.store import repo
from tidings_server.store.models import User

__all__ = ["accept_invitation", "invite", "list_members", "remove_member", "update_member"]


async def list_members(token_info: dict[str, Any], tenant: str) -> Response:
    async with services_of(request).db.session() as session:
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        await authorize_tenant(scope, principal_of(token_info), Permission.MEMBERS_READ)
        rows = await scope.members()
    return json_response({"items": [views.member(m, u) for m, u in rows]})


async def _change_member(
    token_info: dict[str, Any], tenant: str, user_id: str, new_role: str | None
) -> Response:
    """Change a role (`new_role`) or remove a member (None), within the escalation rules."""
    principal = principal_of(token_info)
    caller = caller_of(request, token_info)
    target_id = uuid.UUID(user_id)
    async with services_of(request).db.session() as session, session.begin():
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        actor_role = await authorize_tenant(scope, principal, Permission.MEMBERS_MANAGE)
        if target_id == principal.user_id and not principal.operator:
            raise Forbidden("you cannot change your own membership; ask another owner or admin")
        found = await scope.member(target_id)
        if found is None:
            raise NotFound("no such member")
        membership, member_user = found
        allowed = assignable_roles(actor_role, operator=principal.operator)
        if membership.role not in allowed or (new_role is not None and new_role not in allowed):
            raise Forbidden("only an owner grants or removes the owner role")
        if membership.role == "owner" and new_role != "owner" and await scope.count_owners() <= 1:
            raise RequestError("a tenant keeps at least one owner", code="conflict")
        if new_role is None:
            await scope.remove_member(target_id)
            await scope.audit(action="member.removed", target=("user", user_id), **caller.audit_fields())
            return no_content()
        await scope.set_role(target_id, new_role)
        await scope.audit(
            action="member.role_changed",
            target=("user", user_id),
            details={"from": membership.role, "to": new_role},
            **caller.audit_fields(),
        )
        membership.role = new_role
    return json_response(views.member(membership, member_user))


async def update_member(
    token_info: dict[str, Any], tenant: str, user_id: str, body: dict[str, Any]
) -> Response:
    return await _change_member(token_info, tenant, user_id, body["role"])


async def remove_member(token_info: dict[str, Any], tenant: str, user_id: str) -> Response:
    return await _change_member(token_info, tenant, user_id, None)


async def invite(token_info: dict[str, Any], tenant: str, body: dict[str, Any]) -> Response:
    principal = principal_of(token_info)
    caller = caller_of(request, token_info)
    async with services_of(request).db.session() as session, session.begin():
        scope = repo.TenantScope(session, uuid.UUID(tenant))
        actor_role = await authorize_tenant(scope, principal, Permission.MEMBERS_MANAGE)
        if body["role"] not in assignable_roles(actor_role, operator=principal.operator):
            raise Forbidden("only an owner invites owners")
        token = "tdi_" + secrets.token_urlsafe(32)
        row = await scope.create_invitation(
            email=body["email"],
            role=body["role"],
            token_digest=token_digest(token),
            invited_by=principal.user_id,
            expires_at=datetime.now(UTC) + INVITATION_TTL,
        )
        await scope.audit(
            action="member.invited",
            target=("invitation", str(row.id)),
            details={"email": row.email, "role": row.role},
            **caller.audit_fields(),
        )
    return json_response(views.invitation(row, token), 201)


async def accept_invitation(body: dict[str, Any]) -> Response:
    services = services_of(request)
    user: User | None = None
    authorization = request.headers.get("authorization", "")
    async with services.db.session() as session, session.begin():
        if authorization.lower().startswith("bearer "):
            ids = services.issuer.verify_user_token(authorization[7:].strip())
            if ids is None:
                raise Unauthenticated("invalid access token")
            user = await repo.active_user_in_session(session, ids[0], ids[1], datetime.now(UTC))
            if user is None:
                raise Unauthenticated("invalid access token")
        issued = await services.sessions.accept_invitation(
            session,
            caller_of(request),
            token=body["token"],
            user=user,
            name=body.get("name"),
            password=body.get("password"),
        )
        if issued is None:
            assert user is not None
            issued = await services.sessions.start_session(session, user.id)
    return json_response(issued.body())
