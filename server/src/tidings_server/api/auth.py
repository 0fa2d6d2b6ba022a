"""Tag `auth`: credential introspection."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tidings_server.api import json_response

__all__ = ["whoami"]


async def whoami(token_info: dict[str, Any]) -> Response:
    return json_response(
        {
            "credential": token_info["credential"],
            "key_id": token_info["key_id"],
            "tenant_id": token_info["tenant_id"],
            "project_id": token_info["project_id"],
            "scopes": token_info["scopes"],
        }
    )
