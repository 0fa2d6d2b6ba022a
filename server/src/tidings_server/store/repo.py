"""Repositories. Tenant-owned data is reached only through a `TenantScope`, whose every query
filters on the scope's tenant: an unscoped read of tenant data cannot be written by accident.

Deliberate exceptions, each because the tenant is not known yet: `find_api_key` and
`find_project` (authentication and routing find a row, then continue in its tenant's scope),
and the user/session functions (users are global; memberships link them to tenants).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.store.models import (
    ApiKey,
    AuditEntry,
    Invitation,
    Membership,
    Project,
    RefreshToken,
    Session,
    SigningKey,
    Tenant,
    User,
)
from tidings_server.store.pagination import decode_cursor

__all__ = [
    "TenantScope",
    "active_user_in_session",
    "add_refresh_token",
    "create_session",
    "create_tenant",
    "create_user",
    "find_api_key",
    "find_invitation",
    "find_project",
    "find_refresh_token",
    "find_user_by_email",
    "get_tenant_by_slug",
    "list_all_tenants",
    "list_user_tenants",
    "memberships_of",
]

T = TypeVar("T", Tenant, Project, ApiKey)


def _page(stmt: sa.Select[T], model: type[T], after: str | None, limit: int) -> sa.Select[T]:
    """Keyset pagination on (created_at, id), oldest first."""
    if after:
        stamp, row_id = decode_cursor(after)
        stmt = stmt.where(
            sa.tuple_(model.created_at, model.id) > sa.tuple_(sa.literal(stamp), sa.literal(row_id))
        )
    return stmt.order_by(model.created_at, model.id).limit(limit + 1)


async def create_tenant(session: AsyncSession, *, slug: str, name: str, status: str = "trialing") -> Tenant:
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name, status=status)
    session.add(tenant)
    await session.flush()
    return tenant


async def get_tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    result = await session.execute(sa.select(Tenant).where(Tenant.slug == slug))
    return result.scalar_one_or_none()


async def find_api_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    result = await session.execute(sa.select(ApiKey).where(ApiKey.key_id == key_id))
    return result.scalar_one_or_none()


async def find_project(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id)


async def list_all_tenants(session: AsyncSession, *, after: str | None, limit: int) -> list[Tenant]:
    """Every tenant (platform operators only)."""
    return list((await session.scalars(_page(sa.select(Tenant), Tenant, after, limit))).all())


async def list_user_tenants(
    session: AsyncSession, user_id: uuid.UUID, *, after: str | None, limit: int
) -> list[tuple[Tenant, str]]:
    stmt = sa.select(Tenant, Membership.role).join(Membership, Membership.tenant_id == Tenant.id)
    stmt = stmt.where(Membership.user_id == user_id)
    if after:
        stamp, row_id = decode_cursor(after)
        stmt = stmt.where(
            sa.tuple_(Tenant.created_at, Tenant.id) > sa.tuple_(sa.literal(stamp), sa.literal(row_id))
        )
    rows = await session.execute(stmt.order_by(Tenant.created_at, Tenant.id).limit(limit + 1))
    return [(t, r) for t, r in rows.all()]


# --- users and sessions (global) -----------------------------------------------------------


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(sa.select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def create_user(
    session: AsyncSession, *, email: str, name: str, password_hash: str, operator: bool = False
) -> User:
    user = User(
        id=uuid.uuid4(), email=email.lower(), name=name, password_hash=password_hash, operator=operator
    )
    session.add(user)
    await session.flush()
    return user


async def active_user_in_session(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> User | None:
    """The user, if enabled and the session is neither revoked nor expired (one query)."""
    stmt = (
        sa.select(User)
        .join(Session, Session.user_id == User.id)
        .where(
            User.id == user_id,
            User.disabled_at.is_(None),
            Session.id == session_id,
            Session.revoked_at.is_(None),
            Session.expires_at > now,
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def memberships_of(session: AsyncSession, user_id: uuid.UUID) -> list[Membership]:
    stmt = sa.select(Membership).where(Membership.user_id == user_id).order_by(Membership.created_at)
    return list((await session.scalars(stmt)).all())


async def create_session(session: AsyncSession, user_id: uuid.UUID, expires_at: datetime) -> Session:
    row = Session(id=uuid.uuid4(), user_id=user_id, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def add_refresh_token(session: AsyncSession, session_id: uuid.UUID, digest: bytes) -> None:
    session.add(RefreshToken(digest=digest, session_id=session_id))
    await session.flush()


async def find_refresh_token(session: AsyncSession, digest: bytes) -> tuple[RefreshToken, Session] | None:
    stmt = (
        sa.select(RefreshToken, Session)
        .join(Session, Session.id == RefreshToken.session_id)
        .where(RefreshToken.digest == digest)
        .with_for_update()
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def find_invitation(session: AsyncSession, token_digest: bytes) -> Invitation | None:
    stmt = sa.select(Invitation).where(Invitation.token_digest == token_digest).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


# --- one tenant's data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TenantScope:
    """All reads and writes of one tenant's data."""

    session: AsyncSession
    tenant_id: uuid.UUID

    async def tenant(self) -> Tenant | None:
        return await self.session.get(Tenant, self.tenant_id)

    async def update_tenant(self, **values: Any) -> Tenant | None:
        stmt = (
            sa.update(Tenant)
            .where(Tenant.id == self.tenant_id)
            .values(**values, updated_at=sa.func.now())
            .returning(Tenant)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # projects

    async def create_project(
        self, *, slug: str, name: str, settings: Mapping[str, Any] | None = None
    ) -> Project:
        project = Project(
            id=uuid.uuid4(), tenant_id=self.tenant_id, slug=slug, name=name, settings=dict(settings or {})
        )
        self.session.add(project)
        await self.session.flush()
        return project

    async def get_project(self, project_id: uuid.UUID) -> Project | None:
        stmt = sa.select(Project).where(Project.tenant_id == self.tenant_id, Project.id == project_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_project_by_slug(self, slug: str) -> Project | None:
        result = await self.session.execute(
            sa.select(Project).where(Project.tenant_id == self.tenant_id, Project.slug == slug)
        )
        return result.scalar_one_or_none()

    async def list_projects(self, *, after: str | None, limit: int) -> list[Project]:
        stmt = _page(sa.select(Project).where(Project.tenant_id == self.tenant_id), Project, after, limit)
        return list((await self.session.scalars(stmt)).all())

    async def count_projects(self) -> int:
        stmt = sa.select(sa.func.count()).where(Project.tenant_id == self.tenant_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def update_project(self, project_id: uuid.UUID, **values: Any) -> Project | None:
        stmt = (
            sa.update(Project)
            .where(Project.tenant_id == self.tenant_id, Project.id == project_id)
            .values(**values)
            .returning(Project)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # API keys

    async def create_api_key(
        self,
        *,
        project_id: uuid.UUID,
        key_id: str,
        digest: bytes,
        name: str,
        scopes: Mapping[str, Sequence[str]],
        rate_limit: Mapping[str, Any] | None = None,
        expires_at: datetime | None = None,
    ) -> ApiKey:
        key = ApiKey(
            id=uuid.uuid4(),
            key_id=key_id,
            tenant_id=self.tenant_id,
            project_id=project_id,
            name=name,
            digest=digest,
            scopes={s: list(p) for s, p in scopes.items()},
            rate_limit=dict(rate_limit) if rate_limit else None,
            expires_at=expires_at,
        )
        self.session.add(key)
        await self.session.flush()
        return key

    async def get_api_key(self, project_id: uuid.UUID, key_id: str) -> ApiKey | None:
        stmt = sa.select(ApiKey).where(
            ApiKey.tenant_id == self.tenant_id, ApiKey.project_id == project_id, ApiKey.key_id == key_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_api_keys(self, project_id: uuid.UUID, *, after: str | None, limit: int) -> list[ApiKey]:
        base = sa.select(ApiKey).where(ApiKey.tenant_id == self.tenant_id, ApiKey.project_id == project_id)
        return list((await self.session.scalars(_page(base, ApiKey, after, limit))).all())

    async def revoke_api_key(self, project_id: uuid.UUID, key_id: str) -> ApiKey | None:
        stmt = (
            sa.update(ApiKey)
            .where(
                ApiKey.tenant_id == self.tenant_id,
                ApiKey.project_id == project_id,
                ApiKey.key_id == key_id,
                ApiKey.revoked_at.is_(None),
            )
            .values(revoked_at=sa.func.now())
            .returning(ApiKey)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # signing keys

    async def add_signing_key(self, key: SigningKey) -> SigningKey:
        if key.tenant_id != self.tenant_id:
            raise ValueError("signing key of another tenant")
        self.session.add(key)
        await self.session.flush()
        return key

    async def signing_keys(self, project_id: uuid.UUID) -> list[SigningKey]:
        stmt = (
            sa.select(SigningKey)
            .where(
                SigningKey.tenant_id == self.tenant_id,
                SigningKey.project_id == project_id,
                SigningKey.revoked_at.is_(None),
            )
            .order_by(SigningKey.created_at)
        )
        return list((await self.session.scalars(stmt)).all())

    async def signing_key(self, project_id: uuid.UUID, kid: str) -> SigningKey | None:
        stmt = sa.select(SigningKey).where(
            SigningKey.tenant_id == self.tenant_id,
            SigningKey.project_id == project_id,
            SigningKey.kid == kid,
            SigningKey.revoked_at.is_(None),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def revoke_signing_key(self, project_id: uuid.UUID, kid: str) -> SigningKey | None:
        stmt = (
            sa.update(SigningKey)
            .where(
                SigningKey.tenant_id == self.tenant_id,
                SigningKey.project_id == project_id,
                SigningKey.kid == kid,
                SigningKey.revoked_at.is_(None),
            )
            .values(revoked_at=sa.func.now())
            .returning(SigningKey)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # members

    async def role_of(self, user_id: uuid.UUID) -> str | None:
        stmt = sa.select(Membership.role).where(
            Membership.tenant_id == self.tenant_id, Membership.user_id == user_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_member(self, user_id: uuid.UUID, role: str) -> Membership:
        membership = Membership(tenant_id=self.tenant_id, user_id=user_id, role=role)
        self.session.add(membership)
        await self.session.flush()
        return membership

    async def members(self) -> list[tuple[Membership, User]]:
        stmt = (
            sa.select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id)
            .order_by(Membership.created_at, User.id)
        )
        return [(m, u) for m, u in (await self.session.execute(stmt)).all()]

    async def member(self, user_id: uuid.UUID) -> tuple[Membership, User] | None:
        stmt = (
            sa.select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id, Membership.user_id == user_id)
            .with_for_update(of=Membership)
        )
        row = (await self.session.execute(stmt)).first()
        return (row[0], row[1]) if row else None

    async def count_owners(self) -> int:
        stmt = sa.select(sa.func.count()).where(
            Membership.tenant_id == self.tenant_id, Membership.role == "owner"
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def set_role(self, user_id: uuid.UUID, role: str) -> None:
        await self.session.execute(
            sa.update(Membership)
            .where(Membership.tenant_id == self.tenant_id, Membership.user_id == user_id)
            .values(role=role)
        )

    async def remove_member(self, user_id: uuid.UUID) -> None:
        await self.session.execute(
            sa.delete(Membership).where(Membership.tenant_id == self.tenant_id, Membership.user_id == user_id)
        )

    async def create_invitation(
        self,
        *,
        email: str,
        role: str,
        token_digest: bytes,
        invited_by: uuid.UUID | None,
        expires_at: datetime,
    ) -> Invitation:
        invitation = Invitation(
            id=uuid.uuid4(),
            tenant_id=self.tenant_id,
            email=email.lower(),
            role=role,
            token_digest=token_digest,
            invited_by=invited_by,
            expires_at=expires_at,
        )
        self.session.add(invitation)
        await self.session.flush()
        return invitation

    # audit log

    async def audit(
        self,
        *,
        actor: tuple[str, str],
        action: str,
        target: tuple[str, str] | None = None,
        request_id: str | None = None,
        source_ip: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                tenant_id=self.tenant_id,
                actor_type=actor[0],
                actor_id=actor[1],
                action=action,
                target_type=target[0] if target else None,
                target_id=target[1] if target else None,
                request_id=request_id,
                source_ip=source_ip,
                details=dict(details or {}),
            )
        )
        await self.session.flush()

    async def audit_entries(
        self, *, before_id: int | None, limit: int, action: str | None
    ) -> list[AuditEntry]:
        stmt = sa.select(AuditEntry).where(AuditEntry.tenant_id == self.tenant_id)
        if before_id is not None:
            stmt = stmt.where(AuditEntry.id < before_id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        return list((await self.session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1))).all())
