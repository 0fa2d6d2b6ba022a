"""identity: users, memberships, sessions, invitations, signing keys, audit log; key grants

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('owner', 'admin', 'developer', 'billing', 'viewer')"


def _ts(name: str, *, nullable: bool = False, now: bool = False) -> sa.Column[object]:
    return sa.Column(
        name, sa.DateTime(timezone=True), nullable=nullable, server_default=sa.text("now()") if now else None
    )


def upgrade() -> None:
    # API keys: scopes become scope → topic patterns; existing scopes keep every topic.
    op.add_column("api_keys", sa.Column("grants", pg.JSONB(), nullable=True))
    op.execute(
        "UPDATE api_keys SET grants = (SELECT coalesce(jsonb_object_agg(s, '[\">\"]'::jsonb), '{}'::jsonb) "
        "FROM unnest(scopes) AS s)"
    )
    op.drop_column("api_keys", "scopes")
    op.alter_column("api_keys", "grants", new_column_name="scopes", nullable=False)
    op.add_column("api_keys", sa.Column("rate_limit", pg.JSONB(), nullable=True))

    op.create_table(
        "users",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("operator", sa.Boolean(), server_default=sa.false(), nullable=False),
        _ts("created_at", now=True),
        _ts("disabled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "memberships",
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("user_id", pg.UUID(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _ts("created_at", now=True),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], ondelete="CASCADE", name=op.f("fk_memberships_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE", name=op.f("fk_memberships_user_id_users")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])
    op.create_table(
        "sessions",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("user_id", pg.UUID(), nullable=False),
        _ts("created_at", now=True),
        _ts("expires_at"),
        _ts("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE", name=op.f("fk_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("session_id", pg.UUID(), nullable=False),
        _ts("created_at", now=True),
        _ts("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            ondelete="CASCADE",
            name=op.f("fk_refresh_tokens_session_id_sessions"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(op.f("ix_refresh_tokens_session_id"), "refresh_tokens", ["session_id"])
    op.create_table(
        "invitations",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("invited_by", pg.UUID(), nullable=True),
        _ts("created_at", now=True),
        _ts("expires_at"),
        _ts("accepted_at", nullable=True),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_invitations_role")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], ondelete="CASCADE", name=op.f("fk_invitations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_invitations_token_digest")),
    )
    op.create_index(op.f("ix_invitations_tenant_id"), "invitations", ["tenant_id"])
    op.create_table(
        "signing_keys",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(8), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=True),
        _ts("created_at", now=True),
        _ts("revoked_at", nullable=True),
        sa.CheckConstraint("alg IN ('HS256', 'EdDSA', 'RS256')", name=op.f("ck_signing_keys_alg")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            ondelete="CASCADE",
            name=op.f("fk_signing_keys_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("project_id", "kid", name=op.f("uq_signing_keys_project_id_kid")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=True),
        sa.Column("actor_type", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=True),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("source_ip", sa.String(64), nullable=True),
        sa.Column("details", pg.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        _ts("created_at", now=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_tenant_id_id", "audit_log", ["tenant_id", sa.text("id DESC")])


def downgrade() -> None:
    for table in (
        "audit_log",
        "signing_keys",
        "invitations",
        "refresh_tokens",
        "sessions",
        "memberships",
        "users",
    ):
        op.drop_table(table)
    op.drop_column("api_keys", "rate_limit")
    op.add_column("api_keys", sa.Column("grants", pg.ARRAY(sa.String(32)), nullable=True))
    op.execute("UPDATE api_keys SET grants = ARRAY(SELECT jsonb_object_keys(scopes))")
    op.drop_column("api_keys", "scopes")
    op.alter_column("api_keys", "grants", new_column_name="scopes", nullable=False)
