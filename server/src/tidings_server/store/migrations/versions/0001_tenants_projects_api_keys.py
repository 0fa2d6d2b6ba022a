"""tenants, projects, api keys

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", pg.UUID(), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), server_default="trialing", nullable=False),
        sa.Column("plan", sa.String(63), server_default="trial", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('trialing', 'active', 'past_due', 'suspended', 'canceled')",
            name=op.f("ck_tenants_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "projects",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", pg.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], ondelete="CASCADE", name=op.f("fk_projects_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_projects_tenant_id_slug")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_projects_tenant_id_id")),
    )
    op.create_index(op.f("ix_projects_tenant_id"), "projects", ["tenant_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("scopes", pg.ARRAY(sa.String(32)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            ondelete="CASCADE",
            name=op.f("fk_api_keys_tenant_id_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    op.create_index("ix_api_keys_tenant_project", "api_keys", ["tenant_id", "project_id"])


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("projects")
    op.drop_table("tenants")
