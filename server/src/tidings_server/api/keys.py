"""Tag `keys`: API keys of a project."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, no_content, principal_of, views
from tidings_server.auth.rbac import Permission
from tidings_server.errors import NotFound, RequestError
from tidings_server.identity import keys
from tidings_server.identity.access import authorize_project
from tidings_server.identity.context import caller_of
from tidings_server.services import services_of

__all__ = ["create_key", "get_key", "list_keys", "revoke_key", "rotate_key"]


async def list_keys(
    token_info: dict[str, Any], project: str, limit: int = 50, after: str | None = None
) -> Response:
    async with services_of(request).db.session() as session:
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.KEYS_READ
        )
        rows = await scope.list_api_keys(row.id, after=after, limit=limit)
    return json_response(views.page(rows, limit, views.api_key))


async def get_key(token_info: dict[str, Any], project: str, key_id: str) -> Response:
    async with services_of(request).db.session() as session:
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.KEYS_READ
        )
        key = await scope.get_api_key(row.id, key_id)
    if key is None:
        raise NotFound("no such API key")
    return json_response(views.api_key(key))


async def create_key(token_info: dict[str, Any], project: str, body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.KEYS_WRITE
        )
        expires_at = datetime.fromisoformat(body["expires_at"]) if "expires_at" in body else None
        if expires_at is not None and expires_at.tzinfo is None:
            raise RequestError("`expires_at` needs a time zone offset", code="validation_failed")
        key, secret = await keys.create_key(
            scope,
            caller_of(request, token_info),
            pepper=services.pepper,
            project_id=row.id,
            name=body["name"],
            scopes=body["scopes"],
            rate_limit=body.get("rate_limit"),
            expires_at=expires_at,
        )
    return json_response(views.api_key(key, secret), 201)


async def revoke_key(token_info: dict[str, Any], project: str, key_id: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.KEYS_WRITE
        )
        await keys.revoke_key(scope, caller_of(request, token_info), row.id, key_id)
    await keys.announce_revoked(services.control, key_id)
    return no_content()


async def rotate_key(token_info: dict[str, Any], project: str, key_id: str) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        scope, row = await authorize_project(
            session, principal_of(token_info), uuid.UUID(project), Permission.KEYS_WRITE
        )
        key, secret = await keys.rotate_key(
            scope, caller_of(request, token_info), pepper=services.pepper, project_id=row.id, key_id=key_id
        )
    await keys.announce_revoked(services.control, key_id)
    return json_response(views.api_key(key, secret), 201)
