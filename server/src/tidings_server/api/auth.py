"""Tag `auth`: sign-up, sessions, credential introspection."""

from __future__ import annotations

from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server.api import json_response, no_content, principal_of, views
from tidings_server.auth.limits import throttle_login
from tidings_server.identity.context import caller_of
from tidings_server.identity.sessions import RefreshTokenReused
from tidings_server.services import services_of
from tidings_server.store import repo
from tidings_server.store.models import User

__all__ = ["login", "logout", "me", "refresh", "signup", "whoami"]


async def signup(body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        issued = await services.sessions.signup(
            session,
            caller_of(request),
            email=body["email"],
            password=body["password"],
            name=body["name"],
            slug=body["tenant"]["slug"],
            tenant=body["tenant"]["name"],
        )
    return json_response(issued.body(), 201)


async def login(body: dict[str, Any]) -> Response:
    services = services_of(request)
    await throttle_login(services.limiter, body["email"], caller_of(request).source_ip)
    async with services.db.session() as session, session.begin():
        issued = await services.sessions.login(session, email=body["email"], password=body["password"])
    return json_response(issued.body())


async def refresh(body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session:
        try:
            async with session.begin():
                issued = await services.sessions.refresh(session, body["refresh_token"])
        except RefreshTokenReused as reused:
            async with session.begin():
                await services.sessions.revoke(session, reused.session_id)
            raise
    return json_response(issued.body())


async def logout(body: dict[str, Any]) -> Response:
    services = services_of(request)
    async with services.db.session() as session, session.begin():
        await services.sessions.logout(session, body["refresh_token"])
    return no_content()


async def me(token_info: dict[str, Any]) -> Response:
    principal = principal_of(token_info)
    assert principal.user_id is not None
    services = services_of(request)
    async with services.db.session() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        memberships = await repo.memberships_of(session, user.id)
    return json_response(views.user(user, memberships))


async def whoami(token_info: dict[str, Any]) -> Response:
    principal = principal_of(token_info)
    body: dict[str, Any] = {"credential": principal.kind, "subject": principal.subject}
    if principal.key_id:
        body["key_id"] = principal.key_id
    if principal.tenant_id:
        body["tenant_id"] = str(principal.tenant_id)
    if principal.project_id:
        body["project_id"] = str(principal.project_id)
    if principal.kind != "user":
        body["scopes"] = {scope: list(patterns) for scope, patterns in principal.grants.items()}
    return json_response(body)
