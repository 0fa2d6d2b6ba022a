"""connexion security handlers (`x-bearerInfoFunc` in spec/openapi.yaml).

Each returns the token info (a dict that handlers receive as `token_info`) or None for a
credential that does not verify. The answer to a bad credential never says which check failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from tidings_server.auth import apikeys
from tidings_server.services import services_of
from tidings_server.store.repo import find_api_key

__all__ = ["api_key_info"]


async def api_key_info(token: str, request: Request) -> dict[str, Any] | None:
    parsed = apikeys.parse(token)
    if parsed is None:
        return None
    services = services_of(request)
    async with services.db.session() as session:
        row = await find_api_key(session, parsed.key_id)
    if row is None:
        # Same work as a found key, so timing does not tell unknown ids from wrong secrets.
        apikeys.verify(services.pepper, parsed.key, bytes(32))
        return None
    if not apikeys.verify(services.pepper, parsed.key, row.digest):
        return None
    now = datetime.now(UTC)
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return {
        "sub": f"key:{row.key_id}",
        "credential": "api_key",
        "key_id": row.key_id,
        "tenant_id": str(row.tenant_id),
        "project_id": str(row.project_id),
        "scopes": list(row.scopes),
    }
