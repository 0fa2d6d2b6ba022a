"""Tables. Every tenant-owned row carries `tenant_id`, and child rows reference their parent
together with it (composite foreign keys), so a row can never point across tenants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ROLES",
    "TENANT_STATUSES",
    "ApiKey",
    "AuditEntry",
    "Base",
    "DurableSubscription",
    "Invitation",
    "Membership",
    "Project",
    "RefreshToken",
    "RetentionPolicy",
    "Session",
    "SigningKey",
    "Tenant",
    "TopicSchema",
    "User",
]

TENANT_STATUSES = ("trialing", "active", "past_due", "suspended", "canceled")
ROLES = ("owner", "admin", "developer", "billing", "viewer")
_ROLE_CHECK = "role IN ('owner', 'admin', 'developer', 'billing', 'viewer')"


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
    # Scope → topic patterns (see tidings_server.auth.grants).
    scopes: Mapped[dict[str, list[str]]] = mapped_column(pg.JSONB)
    # {"per_second": float, "burst": int}: overrides the plan's rate for this key.
    rate_limit: Mapped[dict[str, Any] | None] = mapped_column(pg.JSONB)
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


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    # Stored lower-cased: one account per address, whatever the case it is typed in.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    operator: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    disabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Membership(Base):
    __tablename__ = "memberships"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (sa.CheckConstraint(_ROLE_CHECK, name="role"),)


class Session(Base):
    """A login: its refresh tokens rotate; revoking it ends its access tokens too (`sid`)."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    # SHA-256 of the token (256 random bits: a keyed or slow hash adds nothing).
    digest: Mapped[bytes] = mapped_column(sa.LargeBinary(32), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    # Set when the token is exchanged; a second use means theft and revokes the session.
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(16))
    token_digest: Mapped[bytes] = mapped_column(sa.LargeBinary(32), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(pg.UUID)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.CheckConstraint(_ROLE_CHECK, name="role"),)


class SigningKey(Base):
    """A key a tenant's backend signs client tokens with."""

    __tablename__ = "signing_keys"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    kid: Mapped[str] = mapped_column(sa.String(64))
    alg: Mapped[str] = mapped_column(sa.String(8))
    public_key: Mapped[str | None] = mapped_column(sa.Text)
    # HS256 secrets, AES-GCM encrypted under a key derived from the pepper (nonce ‖ ciphertext).
    secret_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"
        ),
        # A kid is never reused within a project, even after revocation: no token can be
        # verified by a different key than the one that signed it.
        sa.UniqueConstraint("project_id", "kid"),
        sa.CheckConstraint("alg IN ('HS256', 'EdDSA', 'RS256')", name="alg"),
    )


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # No foreign key: the record outlives what it is about.
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(pg.UUID)
    actor_type: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str | None] = mapped_column(sa.String(32))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    source_ip: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(pg.JSONB, server_default=sa.text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (sa.Index("ix_audit_log_tenant_id_id", "tenant_id", sa.text("id DESC")),)


# --- event pipeline (tidings_server.events) -----------------------------------------------


class RetentionPolicy(Base):
    """A project's stream limits; a project without a row has the defaults
    (tidings_server.events.retention)."""

    __tablename__ = "retention_policies"

    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    max_age_seconds: Mapped[int] = mapped_column(sa.BigInteger)
    max_events: Mapped[int] = mapped_column(sa.BigInteger)
    max_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"
        ),
    )


class TopicSchema(Base):
    """One version of the JSON Schema registered for a topic or topic pattern."""

    __tablename__ = "topic_schemas"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    topic: Mapped[str] = mapped_column(sa.String(255))
    version: Mapped[int] = mapped_column(sa.Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(pg.JSONB)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    # A deprecated version no longer validates; the newest version not deprecated does.
    deprecated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"
        ),
        sa.UniqueConstraint("project_id", "topic", "version"),
    )


class DurableSubscription(Base):
    """A named, acknowledged subscription: a JetStream durable consumer of the project's stream."""

    __tablename__ = "durable_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    name: Mapped[str] = mapped_column(sa.String(64))
    topic: Mapped[str] = mapped_column(sa.String(255))
    ack_wait_seconds: Mapped[int] = mapped_column(sa.Integer)
    max_deliveries: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"
        ),
        sa.UniqueConstraint("project_id", "name"),
    )
