"""`tidings-server doctor` against real PostgreSQL and NATS: what it reports when all is well,
and each failing check with its fix and exit code 9."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from tidings_server.embedded.nats import nats_server_binary
from tidings_server.embedded.process import ChildProcess, wait_for


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    return subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", "doctor", "--timeout", "3", *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
    )


def env_for(database_url: str, nats_url: str) -> dict[str, str]:
    return {
        "TIDINGS_DATABASE_URL": database_url,
        "TIDINGS_NATS_URL": nats_url,
        "TIDINGS_API_KEY_PEPPER": secrets.token_urlsafe(32),
        "TIDINGS_TOKEN_SECRET": secrets.token_urlsafe(32),
    }


def finding(output: str, status: str, check: str) -> str:
    """The detail of the first `status` finding of `check` (fails when there is none)."""
    match = re.search(rf"^{re.escape(status)}\s+{re.escape(check)}\s+(.+)$", output, re.M)
    assert match, f"no {status} {check} in:\n{output}"
    return match[1]


def test_all_well(database_url: str, nats_server: EmbeddedNats) -> None:
    result = doctor(**env_for(database_url, nats_server.url))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert finding(out, "ok", "config") == "every setting `serve` requires is set and valid"
    assert finding(out, "ok", "postgresql").startswith("PostgreSQL 1")
    assert finding(out, "ok", "schema") == "the database is at this server's schema revision"
    assert finding(out, "ok", "nats").startswith("nats-server 2.")
    assert "single nats-server" in finding(out, "ok", "cluster")
    assert "of PostgreSQL (" in finding(out, "ok", "clock")
    assert finding(out, "ok", "open files").startswith("open-file limit ")
    assert "FAIL" not in out
    assert out.rstrip().endswith("0 problem(s), 0 warning(s)")


def test_unreachable_nats_is_a_failure_with_its_fix(database_url: str) -> None:
    dead = f"127.0.0.1:{free_port()}"
    result = doctor(**env_for(database_url, f"nats://{dead}"))
    assert result.returncode == 9
    assert finding(result.stdout, "FAIL", "nats") == f"cannot connect to {dead}: connection refused"
    assert "fix: check TIDINGS_NATS_URL and that nats-server is running" in result.stdout
    assert finding(result.stdout, "ok", "postgresql")  # the other checks still ran
    assert "Traceback" not in result.stderr


def test_unreachable_postgres_is_a_failure_without_the_password(nats_server: EmbeddedNats) -> None:
    dead = f"127.0.0.1:{free_port()}"
    result = doctor(**env_for(f"postgresql://tidings:s3cret@{dead}/tidings", nats_server.url))
    assert result.returncode == 9
    assert (
        finding(result.stdout, "FAIL", "postgresql")
        == f"cannot connect to {dead}/tidings: connection refused"
    )
    assert "s3cret" not in result.stdout + result.stderr


@pytest.fixture
def empty_database(postgres_server: EmbeddedPostgres) -> Iterator[str]:
    name = f"empty_{uuid.uuid4().hex[:12]}"
    psql = [str(postgres_server.bin_dir / "psql"), postgres_server.url("postgres"), "-qtAX", "-c"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    yield postgres_server.url(name)
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True, capture_output=True)


def test_pending_migrations_are_a_failure(empty_database: str, nats_server: EmbeddedNats) -> None:
    result = doctor(**env_for(empty_database, nats_server.url))
    assert result.returncode == 9
    assert "(none: empty database)" in finding(result.stdout, "FAIL", "schema")
    assert "fix: run `tidings-server migrate` first" in result.stdout


def test_too_few_open_files_for_the_expected_connections(
    database_url: str, nats_server: EmbeddedNats
) -> None:
    result = doctor("--connections", "50000000", **env_for(database_url, nats_server.url))
    assert result.returncode == 9
    detail = finding(result.stdout, "FAIL", "open files")
    assert "50000000 connections over 1 worker(s) need about 50000" in detail
    assert re.search(r"fix: raise the (soft|hard) limit", result.stdout)


def test_more_pooled_connections_than_postgres_allows(database_url: str, nats_server: EmbeddedNats) -> None:
    env = {**env_for(database_url, nats_server.url), "TIDINGS_WORKERS": "64", "TIDINGS_DB_POOL_SIZE": "50"}
    result = doctor(**env)
    assert result.returncode == 9
    assert "64 worker(s) x TIDINGS_DB_POOL_SIZE=50 = 3200 connections" in finding(
        result.stdout, "FAIL", "postgresql"
    )


def test_missing_settings_are_named() -> None:
    result = doctor()
    assert result.returncode == 9
    detail = finding(result.stdout, "FAIL", "config")
    assert (
        detail
        == "not set: TIDINGS_DATABASE_URL, TIDINGS_NATS_URL, TIDINGS_API_KEY_PEPPER, TIDINGS_TOKEN_SECRET"
    )


@pytest.fixture
def nats_without_jetstream() -> Iterator[str]:
    store = Path(tempfile.mkdtemp(prefix="tidings-nats-nojs-"))
    port = free_port()
    process = ChildProcess(
        "nats-server",
        [nats_server_binary(), "--addr", "127.0.0.1", "--port", str(port)],
        log_path=store / "nats-server.log",
    )
    process.start()

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                return sock.recv(5) == b"INFO "
        except OSError:
            return False

    wait_for(answers, timeout=15, what="nats-server", alive=process.alive)
    yield f"nats://127.0.0.1:{port}"
    process.stop()


def test_nats_without_jetstream_is_a_failure(database_url: str, nats_without_jetstream: str) -> None:
    result = doctor(**env_for(database_url, nats_without_jetstream))
    assert result.returncode == 9
    assert finding(result.stdout, "FAIL", "jetstream").startswith("JetStream is not enabled on ")
    assert "fix: start nats-server with --jetstream" in result.stdout
