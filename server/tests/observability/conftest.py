"""A small application through the real middleware: connexion serving support/echo.yaml (no
database needed), plus a plain Starlette route and a WebSocket route outside the spec."""

from __future__ import annotations

from pathlib import Path

import connexion
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket

from tidings_server.middleware import RequestContextMiddleware

ECHO_SPEC = Path(__file__).resolve().parents[1] / "support" / "echo.yaml"


async def plain(request: Request) -> Response:
    return PlainTextResponse(f"hello {request.path_params['name']}")


async def socket(websocket: WebSocket) -> None:
    if websocket.path_params["project"] == "closed":
        await websocket.close()
        return
    await websocket.accept()
    await websocket.send_text("welcome")
    await websocket.close()


def echo_stack() -> ASGIApp:
    """The application as app.py composes it, minus the lifespan."""
    api = connexion.AsyncApp(__name__, specification_dir=str(ECHO_SPEC.parent))
    api.add_api(ECHO_SPEC.name, strict_validation=True)
    app = Starlette(
        routes=[
            Route("/plain/{name}", plain),
            WebSocketRoute("/ws/{project}", socket),
            Mount("/", app=api),
        ]
    )
    return RequestContextMiddleware(app)


@pytest.fixture(scope="module")
def stack() -> ASGIApp:
    return echo_stack()
