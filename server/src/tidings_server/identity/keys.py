"""API keys: authentication on the hot path (cached), and their lifecycle.

Authentication reads a key's row once and caches it in process for `credential_cache_ttl`
seconds. Revocation must reach every node within a second, so revoking publishes
`api_key.revoked` on the control bus and every node drops the key from its cache at once; a node
that was disconnected from NATS meanwhile drops its whole cache when it reconnects. The TTL only
bounds how long a node that misses both could serve a stale row.

Stale while error: when the row is due for a re-read and PostgreSQL does not answer, the cached
row keeps serving for at most `credential_stale_ttl` more seconds (a key cannot be revoked
while the database is away anyway: revoking writes to it). A key not in the cache, or past that
bound, gets 503 `dependency_unavailable` with `Retry-After` — never 401, which would tell a
client following the error registry to drop a valid key.

`last_used_at` is written at most once per `LAST_USED_RESOLUTION_SECONDS` per key and node, in
the background, so a busy key costs no write per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tidings_server.auth import apikeys
from tidings_server.auth import grants as grants_mod
from tidings_server.auth.principal import Principal
from tidings_server.broker.control import ControlBus
from tidings_server.errors import Forbidden, NotFound
from tidings_server.identity.context import Caller
from tidings_server.store.db import Database, database_unavailable, is_unavailable, log_outage
from tidings_server.store.models import ApiKey
from tidings_server.store.repo import TenantScope, find_api_key

__all__ = ["ApiKeyAuthenticator", "create_key", "revoke_key", "rotate_key"]

log = logging.getLogger(__name__)

CACHE_TTL_SECONDS = 30.0
STALE_TTL_SECONDS = 300.0
# Bounds memory under a flood of distinct (valid-looking) key ids; LRU-ish eviction past it.
CACHE_MAX_ENTRIES = 100_000
LAST_USED_RESOLUTION_SECONDS = 60.0
REVOKED_COMMAND = "api_key.revoked"


@dataclass(frozen=True, slots=True)
class _Entry:
    row: ApiKey | None
    fetched: float


class ApiKeyAuthenticator:
    def __init__(
        self,
        db: Database,
        pepper: bytes,
        *,
        cache_ttl: float = CACHE_TTL_SECONDS,
        stale_ttl: float = STALE_TTL_SECONDS,
    ) -> None:
        self._db = db
        self._pepper = pepper
        self._ttl = cache_ttl
        self._stale_ttl = stale_ttl
        self._cache: dict[str, _Entry] = {}
        self._last_used_written: dict[str, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def attach(self, control: ControlBus) -> None:
        """Listen for revocations from every node."""

        async def on_revoked(payload: dict[str, Any]) -> None:
            self.forget(str(payload.get("key_id", "")))

        await control.subscribe(REVOKED_COMMAND, on_revoked)

    def forget(self, key_id: str) -> None:
        self._cache.pop(key_id, None)

    async def forget_all(self) -> None:
        self._cache.clear()

    async def _row(self, key_id: str) -> ApiKey | None:
        entry = self._cache.get(key_id)
        now = time.monotonic()
        if entry is not None and now - entry.fetched < self._ttl:
            return entry.row
        try:
            async with self._db.session() as session:
                row = await find_api_key(session, key_id)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            if entry is not None and now - entry.fetched < self._ttl + self._stale_ttl:
                database_unavailable(exc, "API key authentication (serving cached keys)")
                return entry.row
            raise database_unavailable(exc, "API key authentication") from None
        if len(self._cache) >= CACHE_MAX_ENTRIES:
            self._cache.pop(next(iter(self._cache)))
        # Unknown ids are cached too (as None), so guessing ids costs the database nothing.
        self._cache[key_id] = _Entry(row, now)
        return row

    async def authenticate(self, token: str) -> Principal | None:
        parsed = apikeys.parse(token)
        if parsed is None:
            return None
        row = await self._row(parsed.key_id)
        if row is None:
            # Same work as a found key, so timing does not tell unknown ids from wrong secrets.
            apikeys.verify(self._pepper, parsed.key, bytes(32))
            return None
        if not apikeys.verify(self._pepper, parsed.key, row.digest):
            return None
        now = datetime.now(UTC)
        if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        self._touch(row.key_id)
        limit = row.rate_limit
        return Principal(
            kind="api_key",
            subject=f"key:{row.key_id}",
            tenant_id=row.tenant_id,
            project_id=row.project_id,
            key_id=row.key_id,
            grants=row.scopes,
            rate_limit=(float(limit["per_second"]), int(limit["burst"])) if limit else None,
            expires_at=int(row.expires_at.timestamp()) if row.expires_at is not None else None,
        )

    def _touch(self, key_id: str) -> None:
        now = time.monotonic()
        if (
            now - self._last_used_written.get(key_id, -LAST_USED_RESOLUTION_SECONDS)
            < LAST_USED_RESOLUTION_SECONDS
        ):
            return
        self._last_used_written[key_id] = now
        task = asyncio.create_task(self._write_last_used(key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _write_last_used(self, key_id: str) -> None:
        try:
            async with self._db.session() as session, session.begin():
                await session.execute(
                    sa.update(ApiKey).where(ApiKey.key_id == key_id).values(last_used_at=sa.func.now())
                )
        except Exception as exc:
            if is_unavailable(exc):
                log_outage("recording API key use", exc)
            else:
                log.warning("could not record last use of key %s", key_id, exc_info=True)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)


def _check_within_caller(caller: Caller, scopes: Mapping[str, Sequence[str]]) -> None:
    """An API key may only create keys within its own grants (no escalation)."""
    principal = caller.principal
    if principal is not None and principal.kind == "api_key":
        beyond = grants_mod.uncovered(scopes, principal.grants)
        if beyond:
            raise Forbidden("the new key would have grants the calling key lacks: " + ", ".join(beyond))


async def create_key(
    scope: TenantScope,
    caller: Caller,
    *,
    pepper: bytes,
    project_id: uuid.UUID,
    name: str,
    scopes: Mapping[str, Sequence[str]],
    rate_limit: Mapping[str, Any] | None,
    expires_at: datetime | None,
    action: str = "api_key.created",
) -> tuple[ApiKey, str]:
    normalized = grants_mod.normalize(scopes)
    _check_within_caller(caller, normalized)
    generated = apikeys.generate(pepper)
    row = await scope.create_api_key(
        project_id=project_id,
        key_id=generated.key_id,
        digest=generated.digest,
        name=name,
        scopes=normalized,
        rate_limit=rate_limit,
        expires_at=expires_at,
    )
    await scope.audit(
        action=action,
        target=("api_key", row.key_id),
        details={"project_id": str(project_id), "scopes": normalized},
        **caller.audit_fields(),
    )
    return row, generated.key


async def revoke_key(scope: TenantScope, caller: Caller, project_id: uuid.UUID, key_id: str) -> ApiKey:
    row = await scope.revoke_api_key(project_id, key_id)
    if row is None:
        existing = await scope.get_api_key(project_id, key_id)
        if existing is None:
            raise NotFound("no such API key")
        return existing  # already revoked: idempotent
    await scope.audit(action="api_key.revoked", target=("api_key", key_id), **caller.audit_fields())
    return row


async def rotate_key(
    scope: TenantScope, caller: Caller, *, pepper: bytes, project_id: uuid.UUID, key_id: str
) -> tuple[ApiKey, str]:
    old = await scope.get_api_key(project_id, key_id)
    if old is None or old.revoked_at is not None:
        raise NotFound("no such active API key")
    new, secret = await create_key(
        scope,
        caller,
        pepper=pepper,
        project_id=project_id,
        name=old.name,
        scopes=old.scopes,
        rate_limit=old.rate_limit,
        expires_at=old.expires_at,
        action="api_key.rotated",
    )
    await scope.revoke_api_key(project_id, key_id)
    await scope.audit(
        action="api_key.revoked",
        target=("api_key", key_id),
        details={"replaced_by": new.key_id},
        **caller.audit_fields(),
    )
    return new, secret


async def announce_revoked(control: ControlBus, key_id: str) -> None:
    """After the revoking transaction committed: every node forgets the key."""
    await control.publish(REVOKED_COMMAND, {"key_id": key_id})
