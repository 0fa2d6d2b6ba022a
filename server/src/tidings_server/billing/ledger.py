"""Reads of the usage ledger (`usage_daily`). Every read is filtered on one tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.billing.metering import GAUGES
from tidings_server.store.models import UsageDaily

__all__ = ["DayUsage", "daily_usage", "export_rows", "period_totals"]


@dataclass(frozen=True, slots=True)
class DayUsage:
    day: date
    metric: str
    quantity: int


async def daily_usage(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> list[DayUsage]:
    """Per-day quantities of each metric in [start, end], for the tenant or one project. Over a
    tenant's projects counters add up; a gauge (`peak_connections`, `storage_bytes`) adds the
    projects' daily peaks, an upper bound of the tenant's own peak."""
    stmt = (
        sa.select(UsageDaily.day, UsageDaily.metric, sa.func.sum(UsageDaily.quantity))
        .where(UsageDaily.tenant_id == tenant_id, UsageDaily.day >= start, UsageDaily.day <= end)
        .group_by(UsageDaily.day, UsageDaily.metric)
        .order_by(UsageDaily.day, UsageDaily.metric)
    )
    if project_id is not None:
        stmt = stmt.where(UsageDaily.project_id == project_id)
    rows = await session.execute(stmt)
    return [DayUsage(day, metric, int(total)) for day, metric, total in rows.all()]


async def period_totals(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> dict[str, int]:
    """Each metric over [start, end]: counters summed, gauges their highest day."""
    totals: dict[str, int] = {}
    for row in await daily_usage(session, tenant_id, start=start, end=end, project_id=project_id):
        if row.metric in GAUGES:
            totals[row.metric] = max(totals.get(row.metric, 0), row.quantity)
        else:
            totals[row.metric] = totals.get(row.metric, 0) + row.quantity
    return totals


async def export_rows(
    session: AsyncSession, tenant_id: uuid.UUID, *, start: date, end: date
) -> list[tuple[date, uuid.UUID, str, int]]:
    """Every ledger row of the tenant in [start, end]: (day, project, metric, quantity)."""
    stmt = (
        sa.select(UsageDaily.day, UsageDaily.project_id, UsageDaily.metric, UsageDaily.quantity)
        .where(UsageDaily.tenant_id == tenant_id, UsageDaily.day >= start, UsageDaily.day <= end)
        .order_by(UsageDaily.day, UsageDaily.project_id, UsageDaily.metric)
    )
    return [(d, p, m, int(q)) for d, p, m, q in (await session.execute(stmt)).all()]
