"""Tag `system`: liveness, readiness, version."""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Awaitable, Callable
from typing import Any

from connexion import request
from starlette.responses import Response

from tidings_server import __version__
from tidings_server.api import json_response
from tidings_server.realtime.gateway import running_gateways
from tidings_server.services import services_of
from tidings_server.spec import api_version

__all__ = ["healthz", "readyz", "version"]


async def healthz() -> Response:
    return json_response({"status": "ok"})


async def _check(probe: Callable[[float], Awaitable[float]], timeout: float) -> dict[str, Any]:
    try:
        latency = await probe(timeout)
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {timeout:g} s"}
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round(latency, 2)}


def _live_delivery() -> dict[str, Any]:
    """Whether this process's live feeds run (after a NATS reconnection they are re-created;
    until then publishes are stored but not delivered live)."""
    down = sum(1 for gateway in running_gateways() if not gateway.hub.live)
    if down:
        return {"ok": False, "error": "live delivery is being re-established"}
    return {"ok": True}


async def readyz() -> Response:
    services = services_of(request)
    timeout = services.settings.readiness_timeout
    database, jetstream = await asyncio.gather(
        _check(services.db.ping, timeout), _check(services.broker.ping, timeout)
    )
    checks = {"database": database, "jetstream": jetstream, "live_delivery": _live_delivery()}
    if all(c["ok"] for c in checks.values()):
        return json_response({"status": "ready", "checks": checks})
    return json_response({"status": "unavailable", "checks": checks}, 503, {"Retry-After": "1"})


async def version() -> Response:
    return json_response(
        {"version": __version__, "api_version": api_version(), "python": platform.python_version()}
    )
