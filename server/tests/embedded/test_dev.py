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
        env = {
            **os.environ,
            "TIDINGS_DATA_DIR": str(data_dir),
            "TIDINGS_PORT": "0",
            "TIDINGS_GATEWAY_PORT": "0",
        }
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
            if "Stop:" in line and url and key and login:
                return url, key, login
            if m := re.search(r"URL:\s+(\S+)", line):
                url = m[1]
            if m := re.search(r"Demo API key:\s+(\S+)", line):
                key = m[1]
            if m := re.search(r"Demo login:\s+(\S+) / (\S+)", line):
                login = (m[1], m[2])
        self.close()
        raise AssertionError("dev did not print its banner:\n" + "".join(self.output))

    def banner_line(self, needle: str) -> str:
        """The banner line after the one containing `needle` (the command under its comment)."""
        lines = [line.strip() for line in self.output]
        return lines[next(i for i, line in enumerate(lines) if needle in line) + 1]

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


def test_the_banner_lines_work_when_pasted(data_dir: Path, start_dev: Callable[[Path], Dev]) -> None:
    dev = start_dev(data_dir)
    banner = "".join(dev.output)
    project = re.search(r"Demo project: (\S+)", banner)
    assert project is not None
    assert "<project>" not in banner
    sse = subprocess.Popen(  # noqa: S602 - the banner's line, run as a user would paste it
        "exec " + dev.banner_line("receive events live"), shell=True, stdout=subprocess.PIPE, text=True
    )
    ws = subprocess.Popen(  # noqa: S602
        "exec " + dev.banner_line("a WebSocket session"),
        shell=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert sse.stdout is not None
        assert ws.stdin is not None
        assert ws.stdout is not None
        assert sse.stdout.readline().startswith("retry: ")  # the stream is open
        ws.stdin.write('{"type":"subscribe","topic":"demo.>"}\n')
        ws.stdin.flush()
        ws_lines = []
        for line in ws.stdout:
            ws_lines.append(line)
            if '"type":"subscribed"' in line:
                break
        publish = subprocess.run(  # noqa: S602
            dev.banner_line("publish one"), shell=True, capture_output=True, text=True, timeout=30, check=True
        )
        assert '"topic":"demo.hello"' in publish.stdout, publish.stdout
        for line in sse.stdout:
            if line.startswith("data: "):
                assert '"data":{"hello":"world"}' in line
                break
        for line in ws.stdout:
            ws_lines.append(line)
            if '"type":"event' in line:
                assert '"hello":"world"' in line
                break
        assert any('"type":"welcome"' in line for line in ws_lines), ws_lines
    finally:
        for process in (sse, ws):
            process.kill()
            process.communicate(timeout=10)
    # Swagger UI's server list is the running server.
    spec = httpx.get(dev.url + "/openapi.json", timeout=10).json()
    assert spec["servers"][0]["url"] == dev.url


def test_a_second_dev_on_the_same_data_folder_is_refused_and_a_dead_ones_lock_taken_over(
    data_dir: Path, start_dev: Callable[[Path], Dev]
) -> None:
    first = start_dev(data_dir)
    env = {**os.environ, "TIDINGS_DATA_DIR": str(data_dir), "TIDINGS_PORT": "0", "TIDINGS_GATEWAY_PORT": "0"}
    second = subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", "dev"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert second.returncode == 5, second.stderr
    assert second.stderr.strip() == (
        f"tidings-server: another `tidings-server dev` (pid {first.proc.pid}) is running on the data folder"
        f" {data_dir}; stop it (Ctrl-C in its terminal, or `kill {first.proc.pid}`), or set TIDINGS_DATA_DIR"
        " to another folder"
    )
    assert httpx.get(first.url + "/readyz", timeout=10).status_code == 200  # untouched
    first.proc.kill()  # leaves its lock file, with its PID, behind
    first.proc.wait(10)
    assert first.children_gone()
    assert (data_dir / "dev.lock").read_text().strip() == str(first.proc.pid)
    again = start_dev(data_dir)
    assert httpx.get(again.url + "/readyz", timeout=10).status_code == 200
    assert (data_dir / "dev.lock").read_text().strip() == str(again.proc.pid)


def test_quiet_prints_only_the_url(data_dir: Path) -> None:
    env = {**os.environ, "TIDINGS_DATA_DIR": str(data_dir), "TIDINGS_PORT": "0", "TIDINGS_GATEWAY_PORT": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings_server.cli", "dev", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert httpx.get(url + "/readyz", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert out == ""  # nothing after the URL either
    assert proc.returncode == 0
    assert "INFO" not in err
