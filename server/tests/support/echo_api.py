"""Handlers of support/echo.yaml."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tidings_server.api import json_response


async def echo(body: dict[str, Any]) -> Response:
    return json_response(body)


async def boom() -> Response:
    raise RuntimeError("internal detail: password=hunter2 at db.internal:5432")
