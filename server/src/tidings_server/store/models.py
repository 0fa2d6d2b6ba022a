"""Tables. Every tenant-owned row carries `tenant_id`, and child rows reference their parent
together with it (composite foreign keys), so a row can never point across tenants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["TENANT_STATUSES", "ApiKey", "Base", "Project", "Tenant"]

TENANT_STATUSES = ("trialing", "active", "past_due", "suspended", "canceled")


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _now() -> sa.TextClause:
    return sa.text("now()")


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), server_default="trialing")
    plan: Mapped[str] = mapped_column(sa.String(63), server_default="trial")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('trialing', 'active', 'past_due', 'suspended', 'canceled')", name="status"
        ),
    )


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(pg.JSONB, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "slug"),
        # Target of the composite foreign keys that keep children inside their tenant.
        sa.UniqueConstraint("tenant_id", "id"),
    )


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    # The public part of the key (`tdg_live_<key_id>_…`): safe to log, used for lookup.
    key_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    name: Mapped[str] = mapped_column(sa.String(200))
    # HMAC-SHA256 of the whole key under the server pepper; the key itself is never stored.
    digest: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    scopes: Mapped[list[str]] = mapped_column(pg.ARRAY(sa.String(32)))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            ondelete="CASCADE",
        ),
        sa.Index("ix_api_keys_tenant_project", "tenant_id", "project_id"),
    )
