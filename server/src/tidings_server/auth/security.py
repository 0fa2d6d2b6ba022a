"""connexion security handlers (`x-bearerInfoFunc` in spec/openapi.yaml).

Each returns the token info (a dict whose `principal` handlers receive through `token_info`),
None for a credential of its format that does not verify (401), or connexion's `NO_VALUE` for a
credential of another format. Formats do not overlap (API keys start `tdg_`, client tokens have
`aud = project:<id>` and a `kid`, user tokens are the rest), so exactly one handler judges a
credential — and when that one cannot (PostgreSQL is away: 503 `dependency_unavailable` with
`Retry-After`), no other handler's 401 hides it (connexion prefers a 401 among the errors of
several handlers). The answer to a bad credential never says which check failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connexion.security import NO_VALUE
from starlette.requests import Request

from tidings_server.auth.principal import Principal
from tidings_server.auth.tokens import unverified_client_target
from tidings_server.services import services_of
from tidings_server.store.db import database_unavailable, is_unavailable
from tidings_server.store.repo import active_user_in_session

__all__ = ["api_key_info", "client_token_info", "user_token_info"]


def _is_api_key(token: str) -> bool:
    return token.startswith("tdg_")


def _is_client_token(token: str) -> bool:
    return not _is_api_key(token) and unverified_client_target(token) is not None


async def api_key_info(token: str, request: Request) -> Any:
    if not _is_api_key(token):
        return NO_VALUE
    principal = await services_of(request).api_keys.authenticate(token)
    return principal.token_info() if principal else None


async def client_token_info(token: str, request: Request) -> Any:
    if not _is_client_token(token):
        return NO_VALUE
    principal = await services_of(request).client_tokens.verify(token)
    return principal.token_info() if principal else None


async def user_token_info(token: str, request: Request) -> Any:
    if _is_api_key(token) or _is_client_token(token):
        return NO_VALUE
    services = services_of(request)
    ids = services.issuer.verify_user_token(token)
    if ids is None:
        return None
    user_id, session_id = ids
    try:
        async with services.db.session() as session:
            user = await active_user_in_session(session, user_id, session_id, datetime.now(UTC))
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        raise database_unavailable(exc, "user authentication") from None
    if user is None:
        return None
    principal = Principal(kind="user", subject=str(user.id), user_id=user.id, operator=user.operator)
    return principal.token_info()
