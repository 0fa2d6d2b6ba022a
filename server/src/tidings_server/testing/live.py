"""A real Tidings server (uvicorn, httptools, the full ASGI stack) in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from tidings_server.app import create_app
from tidings_server.config import Settings
from tidings_server.realtime.websocket import gateway_socket
from tidings_server.serving import BoundedHttpToolsProtocol, TidingsServer

__all__ = ["LiveServer", "live_server"]


class LiveServer:
    def __init__(
        self, settings: Settings, *, validate_responses: bool = True, api_spec: Path | None = None
    ) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._gateway_sock = gateway_socket("127.0.0.1", 0, reuse_port=False)
        self.ws_port: int = self._gateway_sock.getsockname()[1]
        self.ws_url = f"ws://127.0.0.1:{self.ws_port}"
        config = uvicorn.Config(
            create_app(
                settings,
                validate_responses=validate_responses,
                api_spec=api_spec,
                gateway_sock=self._gateway_sock,
            ),
            loop="asyncio",
            http=BoundedHttpToolsProtocol,
            lifespan="on",
            log_config=None,
            access_log=False,
            proxy_headers=False,  # as in production: create_app applies TIDINGS_TRUSTED_PROXIES
        )
        self.server = TidingsServer(config)
        self._thread = threading.Thread(target=self._run, name="tidings-live-server", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self.server.serve(sockets=[self._sock]))
        except BaseException as exc:  # noqa: BLE001 - kept and surfaced by start()
            self.error = exc

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                self._sock.close()
                self._gateway_sock.close()
                raise RuntimeError(f"the server did not start: {self.error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the server did not start in time")
            self._thread.join(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(15)
        self._sock.close()
        self._gateway_sock.close()


@contextmanager
def live_server(
    settings: Settings, *, validate_responses: bool = True, api_spec: Path | None = None
) -> Iterator[LiveServer]:
    server = LiveServer(settings, validate_responses=validate_responses, api_spec=api_spec)
    server.start()
    try:
        yield server
    finally:
        server.stop()
