"""Running the server: uvicorn (REST + SSE) and the WebSocket gateway, in one or more processes.

Each process serves both ports from one event loop (uvloop). With `workers > 1` the parent
binds both ports once (to resolve port 0 and to fail early), then starts the workers; each
binds its own listening sockets with SO_REUSEPORT, so the kernel spreads connections evenly
over the processes — one process holds at most its open-file limit of connections. Publishes
reach subscribers on every process through NATS. The parent restarts a worker that dies, and
forwards SIGTERM/SIGINT (each worker drains: `going_away` to its clients, then stops).

The REST/SSE port bounds each request head (request line and headers) to `MAX_HEAD_BYTES` and
`MAX_HEADERS` header fields, as the WebSocket port (the `websockets` library) does: past either,
the answer is 431 `request_header_fields_too_large` and the connection is closed, before the
rest of the head is read (httptools alone reads a head of any size).
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
from dataclasses import dataclass
from typing import Any

import httptools
import orjson
import uvicorn
from pydantic import SecretStr
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tidings_server.app import create_app
from tidings_server.config import Settings
from tidings_server.errors import PROBLEM_MEDIA_TYPE, problem_body
from tidings_server.observability import metrics
from tidings_server.realtime.gateway import drain_running_gateways
from tidings_server.realtime.sse import TRANSPORT_OF
from tidings_server.realtime.websocket import gateway_socket
from tidings_server.startup import bind_error

__all__ = [
    "MAX_HEADERS",
    "MAX_HEAD_BYTES",
    "BoundedHttpToolsProtocol",
    "Listeners",
    "TidingsServer",
    "listen",
    "run",
    "settings_env",
]

log = logging.getLogger(__name__)

# A request head (request line and headers) of at most this many bytes and header fields. The
# WebSocket port's library allows 128 fields of 8 KiB lines; 64 KiB in all fits any real client
# (cookies, a bearer token of up to 8 KiB) with room to spare.
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 128


class _HeadTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head (431 past the bound)."""

    def connection_made(self, transport: Any) -> None:
        self._head_bytes = 0
        self._head_fields = 0
        self._in_head = False
        super().connection_made(transport)

    def on_message_begin(self) -> None:
        self._head_bytes = 0
        self._head_fields = 0
        self._in_head = True
        super().on_message_begin()

    def _count(self, size: int, fields: int = 0) -> None:
        self._head_bytes += size
        self._head_fields += fields
        if self._head_bytes > MAX_HEAD_BYTES or self._head_fields > MAX_HEADERS:
            raise _HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, 1)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, _HeadTooLarge):
                self._refuse_head()
                return
            self._bad_request()
        except httptools.HttpParserError:
            self._bad_request()
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        else:
            # httptools holds an incomplete header line until it ends: count what it holds.
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD_BYTES:
                    self._refuse_head()

    def _bad_request(self) -> None:
        # Not uvicorn's text/plain 400 (nor its warning per request: any peer can send garbage).
        self._refuse(400, "Bad Request", "bad_request", "the request is not valid HTTP/1.1")

    def _refuse_head(self) -> None:
        self._refuse(
            431,
            "Request Header Fields Too Large",
            "request_header_fields_too_large",
            f"the request head is limited to {MAX_HEAD_BYTES} bytes and {MAX_HEADERS} fields",
        )

    def _refuse(self, status: int, reason: str, code: str, detail: str) -> None:
        """Answer a request that never reaches the application, and close the connection."""
        body = orjson.dumps(problem_body(code, detail=detail))
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\n".encode()
            + b"content-type: "
            + PROBLEM_MEDIA_TYPE.encode()
            + b"\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()


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
        http=BoundedHttpToolsProtocol,
        lifespan="on",
        log_config=None,
        access_log=False,
        # X-Forwarded-For is believed from TIDINGS_TRUSTED_PROXIES only (create_app), never
        # from uvicorn's default of 127.0.0.1.
        proxy_headers=False,
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


def _reserve(host: str, port: int) -> socket.socket:
    """Bind (not listen) with SO_REUSEPORT: resolves port 0 and keeps the port ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass
class Listeners:
    """Both ports, bound before anything else starts, so a port in use fails start-up at once.

    With one worker these are the listening sockets themselves; with several, reservations
    (bound, not listening) that keep the ports while the workers bind their own."""

    http: socket.socket
    gateway: socket.socket
    reserved: bool

    @property
    def http_port(self) -> int:
        return int(self.http.getsockname()[1])

    @property
    def gateway_port(self) -> int:
        return int(self.gateway.getsockname()[1])

    def urls(self, host: str) -> dict[str, str]:
        return _urls(host, self.http_port, self.gateway_port)

    def close(self) -> None:
        self.http.close()
        self.gateway.close()


def listen(settings: Settings) -> Listeners:
    """Bind the HTTP and gateway ports, or raise `StartupError` naming the port and the setting."""
    reserved = settings.workers > 1
    ports = (
        ("the HTTP server", settings.port, "TIDINGS_PORT"),
        ("the WebSocket gateway", settings.gateway_port, "TIDINGS_GATEWAY_PORT"),
    )
    bound: list[socket.socket] = []
    for what, port, variable in ports:
        try:
            if reserved:
                bound.append(_reserve(settings.host, port))
            else:
                bound.append(gateway_socket(settings.host, port, reuse_port=False))
        except OSError as exc:
            for sock in bound:
                sock.close()
            raise bind_error(exc, what=what, host=settings.host, port=port, variable=variable) from exc
    return Listeners(bound[0], bound[1], reserved)


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


def run(settings: Settings, banner: str, listeners: Listeners | None = None) -> None:
    """Serve until SIGTERM/SIGINT on `listeners` (bound now when not given); print `banner` once
    the application is ready.

    One process binds its ports plainly, so a port already in use is an error at start. Workers
    share them with SO_REUSEPORT (any process of the same user could join such a port: run one
    `serve` per port)."""
    listeners = listeners or listen(settings)
    if not listeners.reserved:
        _serve(listeners.http, listeners.gateway, settings, banner)
        return
    try:
        _supervise(settings, settings_env(settings), listeners.http_port, listeners.gateway_port, banner)
    finally:
        listeners.close()


def _urls(host: str, http_port: int, gateway_port: int) -> dict[str, str]:
    # Listening on every address: show the one that works from this machine.
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
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
