"""`tidings-server` sub-commands that operators run against an existing database."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from tidings_server.store.db import Database
from tidings_server.store.models import User


def _cli(*args: str, database_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIDINGS_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


async def test_create_operator_creates_then_promotes(database_url: str, db: Database) -> None:
    created = _cli("create-operator", "ops@example.com", database_url=database_url)
    assert created.returncode == 0, created.stderr
    assert "password: " in created.stdout
    again = _cli("create-operator", "ops@example.com", database_url=database_url)
    assert "password unchanged" in again.stdout
    async with db.session() as session:
        user = (await session.execute(sa.select(User).where(User.email == "ops@example.com"))).scalar_one()
    assert user.operator is True


def test_create_operator_refuses_a_short_password(database_url: str) -> None:
    result = _cli(
        "create-operator", "x@example.com", "--password-stdin", database_url=database_url, stdin="short\n"
    )
    assert result.returncode == 2
    assert "12 characters" in result.stderr


def test_migrate_without_a_database_url_names_the_variable() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TIDINGS_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TIDINGS_DATABASE_URL" in result.stderr


def test_every_command_and_exit_code_is_documented() -> None:
    from pathlib import Path

    from tidings_server.startup import EXIT_CODES

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    help_text = subprocess.run(
        [sys.executable, "-m", "tidings_server.cli", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    commands = help_text.split("{", 1)[1].split("}", 1)[0].split(",")
    assert "doctor" in commands
    for command in commands:
        assert f"| `tidings-server {command}" in readme, f"{command} is not in the README's command table"
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in readme
        assert f"  {code}  {meaning}" in help_text
