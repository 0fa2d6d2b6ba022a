"""Tidings servers as child processes (`tidings-server serve`), for tests that need several
server processes on one NATS and PostgreSQL, or one to kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tidings_server.config import Settings
from tidings_server.serving import settings_env

__all__ = ["ServerProcess", "server_process"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    def __init__(self, settings: Settings, *, workers: int = 1, log: Path | None = None) -> None:
        self.port = _free_port()
        self.ws_port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.ws_port}"
        env = {**os.environ, **settings_env(settings)}
        env.update(
            TIDINGS_HOST="127.0.0.1",
            TIDINGS_PORT=str(self.port),
            TIDINGS_GATEWAY_PORT=str(self.ws_port),
            TIDINGS_WORKERS=str(workers),
        )
        out = log.open("ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tidings_server.cli import main; main()", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if log:
            out.close()  # type: ignore[union-attr]  # the child has its own copy

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    with socket.create_connection(("127.0.0.1", self.ws_port), timeout=2):
                        return
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("the server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye (what a crash looks like to clients)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def server_process(
    settings: Settings, *, workers: int = 1, log: Path | None = None
) -> Iterator[ServerProcess]:
    server = ServerProcess(settings, workers=workers, log=log)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
