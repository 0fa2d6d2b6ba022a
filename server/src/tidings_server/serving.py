"""Running the server: uvicorn (REST + SSE) and the WebSocket gateway, in one or more processes.

Each process serves both ports from one event loop (uvloop). With `workers > 1` the parent
binds both ports once (to resolve port 0 and to fail early), then starts the workers; each
binds its own listening sockets with SO_REUSEPORT, so the kernel spreads connections evenly
over the processes — one process holds at most its open-file limit of connections. Publishes
reach subscribers on every process through NATS. The parent restarts a worker that dies, and
forwards SIGTERM/SIGINT (each worker drains: `going_away` to its clients, then stops).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import tempfile
import time
from typing import Any

import uvicorn
from pydantic import SecretStr

from tidings_server.app import create_app
from tidings_server.config import Settings
from tidings_server.observability import metrics
from tidings_server.realtime.gateway import drain_running_gateways
from tidings_server.realtime.sse import TRANSPORT_OF
from tidings_server.realtime.websocket import gateway_socket

__all__ = ["TidingsServer", "run", "settings_env"]

log = logging.getLogger(__name__)


class TidingsServer(uvicorn.Server):
    """uvicorn, announcing the URLs once the application is ready, and draining the realtime
    gateway before it waits for open requests on shutdown."""

    def __init__(self, config: uvicorn.Config, banner: str | None = None) -> None:
        super().__init__(config)
        self.banner = banner

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # Every request's scope["state"] is a copy of the lifespan state: the SSE stream reaches
        # its socket through this to cut a client that stopped reading (ASGI cannot abort).
        self.lifespan.state[TRANSPORT_OF] = self._transport_of
        if self.started and self.banner:
            print(self.banner, flush=True)

    def _transport_of(self, client: tuple[str, int] | None) -> asyncio.WriteTransport | None:
        """The socket transport of the open connection from `client` (a request's
        `scope["client"]`), or None."""
        if client is None:
            return None
        for connection in self.server_state.connections:
            if getattr(connection, "client", None) == client:
                transport: asyncio.WriteTransport | None = getattr(connection, "transport", None)
                return transport
        return None

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await drain_running_gateways()
        await super().shutdown(sockets)


def _config(settings: Settings, gateway_sock: socket.socket) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, gateway_sock=gateway_sock),
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=int(settings.drain_seconds) + 5,
    )


def _serve(http: socket.socket, gateway: socket.socket, settings: Settings, banner: str | None) -> None:
    http.setblocking(True)
    server = TidingsServer(_config(settings, gateway), banner)
    server.run(sockets=[http])
    if not server.started:
        raise SystemExit(1)


def _serve_worker(settings: Settings, http_port: int, gateway_port: int) -> None:
    http = gateway_socket(settings.host, http_port, reuse_port=True)
    gateway = gateway_socket(settings.host, gateway_port, reuse_port=True)
    _serve(http, gateway, settings, None)


def _worker(env: dict[str, str], http_port: int, gateway_port: int) -> None:
    os.environ.update(env)
    from tidings_server.config import load_settings
    from tidings_server.observability.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    _serve_worker(settings, http_port, gateway_port)


def _reserve(host: str, port: int) -> tuple[socket.socket, int]:
    """Bind (not listen) with SO_REUSEPORT: resolves port 0 and keeps the port ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock, sock.getsockname()[1]


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as environment variables, for workers (which load their settings afresh)."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"TIDINGS_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def run(settings: Settings, banner: str) -> None:
    """Serve until SIGTERM/SIGINT. `banner` may use `{url}` and `{ws_url}`.

    One process binds its ports plainly, so a port already in use is an error at start. Workers
    share them with SO_REUSEPORT (any process of the same user could join such a port: run one
    `serve` per port)."""
    if settings.workers == 1:
        http = gateway_socket(settings.host, settings.port, reuse_port=False)
        gateway = gateway_socket(settings.host, settings.gateway_port, reuse_port=False)
        urls = _urls(settings.host, http.getsockname()[1], gateway.getsockname()[1])
        _serve(http, gateway, settings, banner.format(**urls))
        return
    http_reserved, http_port = _reserve(settings.host, settings.port)
    gw_reserved, gw_port = _reserve(settings.host, settings.gateway_port)
    try:
        _supervise(
            settings,
            settings_env(settings),
            http_port,
            gw_port,
            banner.format(**_urls(settings.host, http_port, gw_port)),
        )
    finally:
        http_reserved.close()
        gw_reserved.close()


def _urls(host: str, http_port: int, gateway_port: int) -> dict[str, str]:
    return {"url": f"http://{host}:{http_port}", "ws_url": f"ws://{host}:{gateway_port}"}


def _supervise(settings: Settings, env: dict[str, str], http_port: int, gw_port: int, banner: str) -> None:
    if not os.environ.get(metrics.MULTIPROC_ENV):
        # Workers share one metrics folder, so /metrics on any of them shows all of them.
        folder = tempfile.mkdtemp(prefix="tidings-metrics-")
        env[metrics.MULTIPROC_ENV] = folder
    else:
        env[metrics.MULTIPROC_ENV] = os.environ[metrics.MULTIPROC_ENV]
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        process = context.Process(target=_worker, args=(env, http_port, gw_port), daemon=False)
        # The worker imports metrics afresh: the multiprocess folder must be in its environment.
        saved = os.environ.get(metrics.MULTIPROC_ENV)
        os.environ[metrics.MULTIPROC_ENV] = env[metrics.MULTIPROC_ENV]
        try:
            process.start()
        finally:
            if saved is None:
                os.environ.pop(metrics.MULTIPROC_ENV, None)
            else:
                os.environ[metrics.MULTIPROC_ENV] = saved
        return process

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    workers = [start() for _ in range(settings.workers)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        banner + f"  Workers:      {settings.workers} (pids {', '.join(str(p.pid) for p in workers)})",
        flush=True,
    )
    while True:
        time.sleep(0.2)
        if stopping:
            for process in workers:
                process.join(settings.drain_seconds + 15)
            return
        for i, process in enumerate(workers):
            if not process.is_alive():
                log.warning("worker %s exited with %s; starting another", process.pid, process.exitcode)
                metrics.mark_process_dead(process.pid)
                workers[i] = start()
