"""Tables. Every tenant-owned row carries `tenant_id`, and child rows reference their parent
together with it (composite foreign keys), so a row can never point across tenants."""

from __future__ import annotations

import uuid
from datetime import date, datetime
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
    "BillingAccount",
    "DurableSubscription",
    "Invitation",
    "Membership",
    "Plan",
    "Project",
    "RefreshToken",
    "RetentionPolicy",
    "Session",
    "SigningKey",
    "StripeEvent",
    "Tenant",
    "TopicSchema",
    "UsageDaily",
    "UsageFlush",
    "UsageQuota",
    "UsageReport",
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
    # Set while the project alone is suspended (kill switch); the tenant's status suspends all.
    suspended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

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
    # The most a token signed with this key may carry (the grants of the API key that registered
    # it: no escalation through signing keys); NULL: registered by a user, no cap.
    max_capabilities: Mapped[dict[str, list[str]] | None] = mapped_column(pg.JSONB)
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


# --- billing (tidings_server.billing) ------------------------------------------------------


class Plan(Base):
    """A plan's hard limits (NULL: unlimited); seeded by migration 0004, edited by operators."""

    __tablename__ = "plans"

    name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    events_per_month: Mapped[int | None] = mapped_column(sa.BigInteger)
    deliveries_per_month: Mapped[int | None] = mapped_column(sa.BigInteger)
    peak_connections: Mapped[int | None] = mapped_column(sa.Integer)
    publish_rate: Mapped[float | None] = mapped_column(sa.Float)
    publish_burst: Mapped[int | None] = mapped_column(sa.Integer)
    max_projects: Mapped[int | None] = mapped_column(sa.Integer)
    retention_max_age_seconds: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Share of a limit past which the usage API warns (soft limit).
    warn_ratio: Mapped[float] = mapped_column(sa.Float, server_default=sa.text("0.8"))
    # `block`: refuse past a monthly limit; `bill`: keep serving and bill the overage.
    overage: Mapped[str] = mapped_column(sa.String(8), server_default="block")
    # Metered Stripe prices of a paid plan's subscription (one per billed meter).
    stripe_price_ids: Mapped[list[str]] = mapped_column(pg.JSONB, server_default=sa.text("'[]'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())

    __table_args__ = (sa.CheckConstraint("overage IN ('block', 'bill')", name="overage"),)


class BillingAccount(Base):
    """A tenant's billing state: its Stripe customer and subscription, trial and dunning."""

    __tablename__ = "billing_accounts"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        pg.UUID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255))
    subscription_status: Mapped[str | None] = mapped_column(sa.String(32))
    # Stripe `created` (Unix seconds) of the newest subscription event applied: an older event
    # delivered late is recorded but does not roll the state back.
    subscription_event_at: Mapped[int | None] = mapped_column(sa.BigInteger)
    has_payment_method: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    trial_ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    past_due_since: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Why the tenant is suspended (operator, payment, trial_ended, usage): a payment lifts only
    # a suspension that a payment caused.
    suspended_reason: Mapped[str | None] = mapped_column(sa.String(32))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class UsageDaily(Base):
    """The usage ledger: one row per tenant, project, metric and UTC day. No foreign keys: the
    ledger outlives what it counts (a deleted project is still billed)."""

    __tablename__ = "usage_daily"

    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class UsageFlush(Base):
    """Flushes applied to the ledger: a flush retried after an unknown outcome applies once."""

    __tablename__ = "usage_flushes"

    flush_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now(), index=True
    )


class UsageQuota(Base):
    """Units of a monthly limit handed out to nodes (leases), so a limit holds across nodes."""

    __tablename__ = "usage_quotas"

    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID, primary_key=True)
    metric: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    period: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    granted: Mapped[int] = mapped_column(sa.BigInteger)


class UsageReport(Base):
    """A usage quantity reported (or to report) to Stripe as one meter event. The row is written
    before the event is sent and its identifier is deterministic, so a retry never bills twice."""

    __tablename__ = "usage_reports"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(pg.UUID)
    metric: Mapped[str] = mapped_column(sa.String(32))
    day: Mapped[date] = mapped_column(sa.Date)
    seq: Mapped[int] = mapped_column(sa.Integer)
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    identifier: Mapped[str] = mapped_column(sa.String(100), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "metric", "day", "seq"),
        sa.Index("ix_usage_reports_unsent", "id", postgresql_where=sa.text("sent_at IS NULL")),
    )


class StripeEvent(Base):
    """Stripe webhook events processed (each exactly once, by event id)."""

    __tablename__ = "stripe_events"

    event_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(pg.UUID)
    outcome: Mapped[str] = mapped_column(sa.String(32))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
