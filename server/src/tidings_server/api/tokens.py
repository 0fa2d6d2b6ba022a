"""Tag `tokens`: client tokens and the project signing keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, no_content, principal_of, views
from tidings_server.auth import grants
from tidings_server.auth.rbac import Permission
from tidings_server.errors import Forbidden, NotFound, RequestError
from tidings_server.identity import signing
from tidings_server.identity.access import authorize_project
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of
from tidings_server.store.repo import find_project

__all__ = ["create_signing_key", "delete_signing_key", "list_signing_keys", "mint_token"]


async def list_signing_keys(token_info: dict[str, Any], project: str) -> Response:
    async with services_of(request).db.session() as session:
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.TOKENS_MANAGE
        )
        rows = await scope.signing_keys(row.id)
    return json_response({"items": [views.signing_key(r) for r in rows]})


async def create_signing_key(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.TOKENS_MANAGE
        )
        if await scope.signing_key(row.id, body["kid"]) is not None:
            raise RequestError(f"the kid {body['kid']!r} is taken in this project", code="conflict")
        key, secret = await signing.register_signing_key(
            scope,
            caller_of(request, token_info),
            services.box,
            project_id=row.id,
            kid=body["kid"],
            alg=body["alg"],
            public_key=body.get("public_key"),
        )
    return json_response(views.signing_key(key, secret), 201)


async def delete_signing_key(token_info: dict[str, Any], project: str, kid: str) -> Response:
    services = services_of(request)
    caller = caller_of(request, token_info)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.TOKENS_MANAGE
        )
        if await scope.revoke_signing_key(row.id, kid) is None:
            raise NotFound("no such signing key")
        await scope.audit(action="signing_key.revoked", target=("signing_key", kid), **caller.audit_fields())
    await signing.announce_revoked(services.control, row.id, kid)
    return no_content()


async def mint_token(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    principal = principal_of(token_info)
    project_id = uuid.UUID(project)
    if principal.project_id != project_id:
        raise Forbidden("an API key mints tokens for its own project only")
    capabilities = grants.normalize(body["capabilities"])
    beyond = grants.uncovered(capabilities, principal.grants)
    if beyond:
        raise Forbidden("the token would have capabilities the key lacks: " + ", ".join(beyond))
    ttl = int(body.get("ttl_seconds", 3600))
    async with services.db.session() as session:
        row = await find_project(session, project_id)
    if row is None:
        raise NotFound("no such project")
    longest = signing.max_client_token_ttl(row)
    if ttl > longest:
        raise RequestError(
            f"`ttl_seconds` is over the project's `max_client_token_ttl` of {longest}",
            code="validation_failed",
            errors=[{"pointer": "/ttl_seconds", "message": f"at most {longest}"}],
        )
    token, expires = services.issuer.client_token(project_id, body["user_id"], capabilities, ttl)
    return json_response(
        {"token": token, "expires_at": datetime.fromtimestamp(expires, UTC).isoformat()}, 201
    )
