"""pytest fixtures: a real nats-server (JetStream) and a real PostgreSQL for the whole session,
a fresh database per test module (cloned from a migrated template, ~50 ms), and a live server.

Nothing here mocks PostgreSQL or NATS.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tidings_server.config import Settings, load_settings
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres
from tidings_server.store.db import Database
from tidings_server.store.migrate import upgrade
from tidings_server.store.seed import ensure_demo_tenant
from tidings_server.testing.live import LiveServer, live_server

TEMPLATE_DB = "tidings_template"
# Durability is irrelevant to tests and costs seconds per suite.
FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass(frozen=True)
class Demo:
    """The demo tenant of a test database, with a working API key."""

    api_key: str
    tenant_slug: str
    project_slug: str


@pytest.fixture(scope="session")
def services_root() -> Iterator[Path]:
    # Not pytest's tmp_path: that is 0700 and, as root, the PostgreSQL user must traverse it.
    root = Path(tempfile.mkdtemp(prefix="tidings-test-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_server(services_root: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(services_root / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server(services_root: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(
        services_root / "postgres" / "data",
        password=secrets.token_urlsafe(16),
        run_as=os.environ.get("TIDINGS_EMBEDDED_PG_USER", "nobody"),
        settings=FAST_POSTGRES,
    )
    server.start(database=TEMPLATE_DB)
    asyncio.run(upgrade(server.url(TEMPLATE_DB)))
    yield server
    server.stop()


def _psql(server: EmbeddedPostgres, sql: str) -> None:
    subprocess.run(
        [str(server.bin_dir / "psql"), server.url("postgres"), "-qtAX", "-c", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def database_url(postgres_server: EmbeddedPostgres) -> Iterator[str]:
    """A fresh, migrated database for this test module."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    _psql(postgres_server, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    yield postgres_server.url(name)
    _psql(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    return load_settings(
        database_url=database_url,
        nats_url=nats_server.url,
        api_key_pepper=secrets.token_urlsafe(32),
        token_secret=secrets.token_urlsafe(32),
        max_body_bytes=64 * 1024,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    assert settings.database_url is not None
    database = Database.connect(settings.database_url.get_secret_value(), pool_size=2)
    yield database
    await database.close()


@pytest.fixture(scope="module")
def demo(settings: Settings) -> Demo:
    assert settings.database_url is not None
    assert settings.api_key_pepper is not None
    url = settings.database_url.get_secret_value()
    pepper = settings.api_key_pepper.get_secret_value().encode()

    async def seed() -> str | None:
        database = Database.connect(url, pool_size=1)
        try:
            return (await ensure_demo_tenant(database, pepper)).api_key
        finally:
            await database.close()

    key = asyncio.run(seed())
    assert key is not None, "the module's database already had a demo tenant"
    return Demo(api_key=key, tenant_slug="demo", project_slug="default")


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    """The whole application on a free port, answers validated against the spec."""
    with live_server(settings) as running:
        yield running
