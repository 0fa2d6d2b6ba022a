"""Tenant and project status changes: the kill switch, dunning, trials, reactivation.

Every change is written to PostgreSQL with its audit entry in the caller's transaction; the
caller then (after commit) calls `Change.announce`, which tells every node over the control bus
(tidings_server.identity.suspension) so publishes are refused and connections closed within
milliseconds. Nothing is deleted: a suspended tenant keeps its data and resumes as it was.

Statuses: `trialing` → `active` (payment method, subscription active) → `past_due` (a payment
failed) → `suspended` (grace over, trial ended without payment, operator, usage) → back to
`active` or `trialing` (payment, operator); `canceled` (subscription deleted). `suspended_reason`
says who suspended: billing events lift only `payment` and `trial_ended` suspensions, so an
operator's suspension stays until an operator resumes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.broker.control import ControlBus
from tidings_server.identity.suspension import SUSPENDED_STATUSES, announce_suspension
from tidings_server.store.models import BillingAccount, Tenant
from tidings_server.store.repo import TenantScope

__all__ = [
    "BILLING_REASONS",
    "REASONS",
    "Change",
    "ensure_account",
    "set_project_suspended",
    "set_tenant_status",
]

REASONS = ("operator", "abuse", "payment", "trial_ended", "usage")
# Suspensions that billing events (a payment, a subscription turning active) may lift.
BILLING_REASONS = frozenset({"payment", "trial_ended"})
SYSTEM_ACTOR = ("system", "billing")


@dataclass(frozen=True, slots=True)
class Change:
    tenant_id: uuid.UUID
    project_id: uuid.UUID | None
    before: str
    after: str

    @property
    def suspension_changed(self) -> bool:
        return (self.before in SUSPENDED_STATUSES) != (self.after in SUSPENDED_STATUSES)

    async def announce(self, control: ControlBus) -> None:
        """Tell every node (after the change is committed), if serving changed."""
        if self.suspension_changed:
            await announce_suspension(
                control,
                self.tenant_id,
                suspended=self.after in SUSPENDED_STATUSES,
                project_id=self.project_id,
            )


async def ensure_account(session: AsyncSession, tenant_id: uuid.UUID) -> BillingAccount:
    """The tenant's billing account, created on first use, locked for this transaction."""
    await session.execute(insert(BillingAccount).values(tenant_id=tenant_id).on_conflict_do_nothing())
    stmt = sa.select(BillingAccount).where(BillingAccount.tenant_id == tenant_id).with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def set_tenant_status(
    scope: TenantScope,
    status: str,
    *,
    action: str,
    actor: tuple[str, str] = SYSTEM_ACTOR,
    reason: str | None = None,
    request_id: str | None = None,
    source_ip: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Change | None:
    """Set the tenant's status (and why, when suspending) and audit it; None if no such tenant.
    Setting the status it already has changes nothing and audits nothing."""
    stmt = sa.select(Tenant.status).where(Tenant.id == scope.tenant_id).with_for_update()
    before = (await scope.session.execute(stmt)).scalar_one_or_none()
    if before is None:
        return None
    account = await ensure_account(scope.session, scope.tenant_id)
    new_reason = reason if status in SUSPENDED_STATUSES else None
    if before == status and account.suspended_reason == new_reason:
        return Change(scope.tenant_id, None, before, status)
    await scope.update_tenant(status=status)
    account.suspended_reason = new_reason
    if status != "past_due":
        account.past_due_since = None
    await scope.audit(
        actor=actor,
        action=action,
        target=("tenant", str(scope.tenant_id)),
        request_id=request_id,
        source_ip=source_ip,
        details={"from": before, "to": status, **({"reason": reason} if reason else {}), **(details or {})},
    )
    return Change(scope.tenant_id, None, before, status)


async def set_project_suspended(
    scope: TenantScope,
    project_id: uuid.UUID,
    suspended: bool,
    *,
    actor: tuple[str, str],
    reason: str | None = None,
    request_id: str | None = None,
    source_ip: str | None = None,
) -> Change | None:
    """Suspend or resume one project; None if the tenant has no such project."""
    project = await scope.get_project(project_id)
    if project is None:
        return None
    before = "suspended" if project.suspended_at is not None else "active"
    after = "suspended" if suspended else "active"
    if before != after:
        await scope.update_project(project_id, suspended_at=sa.func.now() if suspended else None)
        await scope.audit(
            actor=actor,
            action="project.suspended" if suspended else "project.resumed",
            target=("project", str(project_id)),
            request_id=request_id,
            source_ip=source_ip,
            details={"reason": reason} if reason else {},
        )
    return Change(scope.tenant_id, project_id, before, after)
