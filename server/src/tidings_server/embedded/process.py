"""A supervised child process that cannot outlive its parent.

Each child gets the kernel's parent-death signal (Linux `PR_SET_PDEATHSIG`): if the process
that started it dies, even by SIGKILL, the kernel sends the child its stop signal, so `dev`
never leaves an orphan `nats-server` or `postgres` behind. Children run in their own session,
so a Ctrl-C in the terminal reaches only the parent, which stops them in order.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["ChildProcess", "free_port", "wait_for"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], *, timeout: float, what: str, alive: Callable[[], bool]) -> None:
    """Poll `predicate` until true; fail early if the child died, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if not alive():
            raise RuntimeError(f"{what} exited during start-up")
        time.sleep(0.05)
    raise TimeoutError(f"{what} was not ready within {timeout:g} s")


def _die_with_parent(sig: int, parent_pid: int) -> Callable[[], None]:
    def preexec() -> None:
        if sys.platform == "linux":
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        # The parent may have died between fork and prctl: then nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class ChildProcess:
    """One child: started with `start()`, stopped with `stop()` (stop signal, then SIGKILL)."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.stop_signal = stop_signal
        self.user = user
        self.env = dict(env) if env is not None else None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(self.stop_signal, os.getpid()),
                user=self.user,
                env=self.env,
            )
        log.debug("started %s (pid %s)", self.name, self.proc.pid)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %g s; killing it", self.name, timeout)
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
