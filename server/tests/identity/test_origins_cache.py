"""The per-node cache of projects' allowed origins (identity/origins.py), on the real database:
answers from the cache without a query, stale-while-error, invalidation by the control bus."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from tidings_server.config import Settings, load_settings
from tidings_server.embedded import free_port
from tidings_server.identity import origins as origins_mod
from tidings_server.identity.origins import ProjectOrigins
from tidings_server.store.db import Database
from tidings_server.store.models import Project
from tidings_server.testing.plugin import Demo


async def _project_id(db: Database) -> uuid.UUID:
    async with db.session() as session:
        project_id = await session.scalar(sa.select(Project.id).limit(1))
    assert project_id is not None
    return project_id


def _unreachable() -> Database:
    url = load_settings(database_url=f"postgresql://x:y@127.0.0.1:{free_port()}/x").database_url
    assert url is not None
    return Database.connect(url.get_secret_value(), pool_size=1)


async def test_cached_rules_are_answered_without_the_database_and_kept_while_it_is_away(
    db: Database, demo: Demo, settings: Settings
) -> None:
    project_id = await _project_id(db)
    async with db.session() as session, session.begin():
        await session.execute(
            sa.update(Project)
            .where(Project.id == project_id)
            .values(settings={"allowed_origins": ["https://app.example.com"]})
        )
    origins = ProjectOrigins(db)
    rules = await origins.rules(project_id)
    assert rules is not None
    assert rules.allows("https://app.example.com")
    assert not rules.allows("https://evil.test")

    # The same node with its database gone (this instance only: the shared server stays up).
    broken = _unreachable()
    origins._db = broken
    try:
        assert await origins.rules(project_id) is rules  # fresh: no query at all
        origins._cache[project_id] = (rules, time.monotonic() - origins_mod.CACHE_TTL_SECONDS - 1)
        assert await origins.rules(project_id) is rules  # expired: stale while error
        with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver raises
            await origins.rules(uuid.uuid4())  # nothing cached: the error, never a guess
    finally:
        await broken.close()


async def test_an_unknown_project_is_cached_as_none(db: Database, demo: Demo) -> None:
    origins = ProjectOrigins(db)
    assert await origins.rules(uuid.uuid4()) is None


async def test_the_cache_is_bounded(db: Database, demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origins_mod, "CACHE_MAX_ENTRIES", 3)
    origins = ProjectOrigins(db)
    for _ in range(10):
        await origins.rules(uuid.uuid4())
    assert len(origins._cache) == 3
