"""`tidings-server dev` end to end: starts its own NATS and PostgreSQL, serves, and never leaves
an orphan behind, whether stopped by Ctrl-C or killed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tidings-dev-test-"))
    root.chmod(0o755)  # traversable by the PostgreSQL user when the tests run as root
    yield root / "data"
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def start_dev() -> Iterator[Callable[[Path], Dev]]:
    started: list[Dev] = []

    def start(data_dir: Path) -> Dev:
        started.append(Dev(data_dir))
        return started[-1]

    yield start
    for dev in started:
        dev.close()


class Dev:
    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "TIDINGS_DATA_DIR": str(data_dir), "TIDINGS_PORT": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tidings_server.cli", "dev"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
        self.output: list[str] = []
        self.url, self.key, self.login = self._read_banner()
        self.children = psutil.Process(self.proc.pid).children(recursive=True)

    def _read_banner(self, timeout: float = 60) -> tuple[str, str, tuple[str, str]]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        url = key = login = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if m := re.search(r"URL:\s+(\S+)", line):
                url = m[1]
            if m := re.search(r"Demo API key:\s+(\S+)", line):
                key = m[1]
            if m := re.search(r"Demo login:\s+(\S+) / (\S+)", line):
                login = (m[1], m[2])
            if url and key and login:
                return url, key, login
        self.close()
        raise AssertionError("dev did not print its banner:\n" + "".join(self.output))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def child_names(self) -> set[str]:
        return {c.name() for c in self.children}

    def children_gone(self, timeout: float = 15) -> bool:
        _, alive = psutil.wait_procs(self.children, timeout=timeout)
        return not alive


def test_dev_serves_with_its_own_services_and_ctrl_c_stops_them(
    data_dir: Path, start_dev: Callable[[Path], Dev]
) -> None:
    dev = start_dev(data_dir)
    try:
        assert {"nats-server", "postgres"} <= dev.child_names()
        assert httpx.get(dev.url + "/readyz", timeout=10).status_code == 200
        whoami = httpx.get(dev.url + "/v1/whoami", headers={"authorization": f"Bearer {dev.key}"}, timeout=10)
        assert whoami.status_code == 200
        email, password = dev.login
        session = httpx.post(
            dev.url + "/v1/auth/login", json={"email": email, "password": password}, timeout=10
        )
        assert session.status_code == 200
        me = httpx.get(
            dev.url + "/v1/me", headers={"authorization": f"Bearer {session.json()['access_token']}"}
        )
        assert me.json()["memberships"][0]["role"] == "owner"
    finally:
        dev.proc.send_signal(signal.SIGINT)
        dev.proc.wait(30)
    assert dev.proc.returncode == 0
    assert dev.children_gone()

    # A second start reuses the data: same demo key, data still there.
    again = start_dev(data_dir)
    try:
        assert again.key == dev.key
        whoami = httpx.get(
            again.url + "/v1/whoami", headers={"authorization": f"Bearer {again.key}"}, timeout=10
        )
        assert whoami.status_code == 200
    finally:
        again.proc.send_signal(signal.SIGTERM)
        again.proc.wait(30)
    assert again.children_gone()


def test_killing_dev_leaves_no_orphan(data_dir: Path, start_dev: Callable[[Path], Dev]) -> None:
    dev = start_dev(data_dir)
    assert {"nats-server", "postgres"} <= dev.child_names()
    dev.proc.kill()
    dev.proc.wait(10)
    assert dev.children_gone(), f"orphans: {[c for c in dev.children if c.is_running()]}"
