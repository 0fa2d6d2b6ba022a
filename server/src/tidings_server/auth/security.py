"""connexion security handlers (`x-bearerInfoFunc` in spec/openapi.yaml).

Each returns the token info (a dict whose `principal` handlers receive through `token_info`) or
None for a credential that does not verify. Formats do not overlap (API keys start `tdg_`,
user tokens have no audience, client tokens have `aud = project:<id>`), so exactly one handler
can accept a credential. The answer to a bad credential never says which check failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from tidings_server.auth.principal import Principal
from tidings_server.services import services_of
from tidings_server.store.repo import active_user_in_session

__all__ = ["api_key_info", "client_token_info", "user_token_info"]


async def api_key_info(token: str, request: Request) -> dict[str, Any] | None:
    principal = await services_of(request).api_keys.authenticate(token)
    return principal.token_info() if principal else None


async def client_token_info(token: str, request: Request) -> dict[str, Any] | None:
    if token.startswith("tdg_"):
        return None
    principal = await services_of(request).client_tokens.verify(token)
    return principal.token_info() if principal else None


async def user_token_info(token: str, request: Request) -> dict[str, Any] | None:
    if token.startswith("tdg_"):
        return None
    services = services_of(request)
    ids = services.issuer.verify_user_token(token)
    if ids is None:
        return None
    user_id, session_id = ids
    async with services.db.session() as session:
        user = await active_user_in_session(session, user_id, session_id, datetime.now(UTC))
    if user is None:
        return None
    principal = Principal(kind="user", subject=str(user.id), user_id=user.id, operator=user.operator)
    return principal.token_info()
