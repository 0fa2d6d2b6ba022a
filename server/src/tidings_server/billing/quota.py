"""Monthly allowances that hold across nodes: leases of a PostgreSQL counter.

`usage_quotas` holds, per tenant, metric and month, how many units have been handed out to
nodes (`granted`), never more than the limit. A node leases units in chunks and spends them
locally without I/O, so the hot path touches PostgreSQL once per chunk, and the whole cluster
never admits more than the limit.

Precision (documented in the usage API): the limit is never exceeded. A lease is at most
`LEASE_CHUNK` units and at most 1/`LEASE_SHARE` of what remains (but never less than the
request), so near the limit leases shrink to single requests; units leased by a node and not
spent (another node's leftovers, a node that stopped) are refused to others until the month
ends — at most `LEASE_CHUNK` per node, and none once leases have shrunk. A publish that fails
after admission gives its units back to the node's lease.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tidings_server.store.db import Database
from tidings_server.store.models import UsageQuota

__all__ = ["LEASE_CHUNK", "LEASE_SHARE", "QuotaLeases"]

# One PostgreSQL round trip per 1,000 events at most; stranded units per node at most 1,000.
LEASE_CHUNK = 1000
# Near the limit a lease takes at most 1/16 of the remainder, so leftovers on other nodes
# shrink geometrically and the last units go one request at a time.
LEASE_SHARE = 16

_Key = tuple[uuid.UUID, str, date]


class QuotaLeases:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Units this node has leased and not yet spent.
        self._local: dict[_Key, int] = {}

    async def take(self, tenant_id: uuid.UUID, metric: str, period: date, n: int, limit: int) -> bool:
        """Spend `n` units of the tenant's `limit` for `period`; False if they are not to be had
        (nothing is spent then)."""
        key = (tenant_id, metric, period)
        have = self._local.get(key, 0)
        if have >= n:
            self._local[key] = have - n
            return True
        granted = await self._lease(key, n - have, limit)
        # Read again: other requests of this node may have leased or spent meanwhile.
        have = self._local.get(key, 0) + granted
        if have >= n:
            self._local[key] = have - n
            return True
        self._local[key] = have
        return False

    def give_back(self, tenant_id: uuid.UUID, metric: str, period: date, n: int) -> None:
        """Return units taken for work that did not happen (a failed or duplicate publish)."""
        if n > 0:
            key = (tenant_id, metric, period)
            self._local[key] = self._local.get(key, 0) + n

    def forget_before(self, period: date) -> None:
        for key in [k for k in self._local if k[2] < period]:
            del self._local[key]

    async def _lease(self, key: _Key, want: int, limit: int) -> int:
        tenant_id, metric, period = key
        where = (
            UsageQuota.tenant_id == tenant_id,
            UsageQuota.metric == metric,
            UsageQuota.period == period,
        )
        async with self._db.session() as session, session.begin():
            await session.execute(
                insert(UsageQuota)
                .values(tenant_id=tenant_id, metric=metric, period=period, granted=0)
                .on_conflict_do_nothing()
            )
            granted = await session.scalar(sa.select(UsageQuota.granted).where(*where).with_for_update())
            remaining = max(0, limit - int(granted or 0))
            lease = min(remaining, max(want, min(LEASE_CHUNK, remaining // LEASE_SHARE)))
            if lease > 0:
                await session.execute(
                    sa.update(UsageQuota).where(*where).values(granted=UsageQuota.granted + lease)
                )
        return lease
