"""events: retention policies, topic schemas, durable subscriptions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "project_id"],
        ["projects.tenant_id", "projects.id"],
        ondelete="CASCADE",
        name=op.f(f"fk_{table}_tenant_id_project_id_projects"),
    )


def _now(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("max_age_seconds", sa.BigInteger(), nullable=False),
        sa.Column("max_events", sa.BigInteger(), nullable=False),
        sa.Column("max_bytes", sa.BigInteger(), nullable=False),
        _now("updated_at"),
        _project_fk("retention_policies"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_retention_policies")),
    )
    op.create_table(
        "topic_schemas",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema", pg.JSONB(), nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        _now("created_at"),
        sa.Column("deprecated_at", sa.DateTime(timezone=True), nullable=True),
        _project_fk("topic_schemas"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_schemas")),
        sa.UniqueConstraint(
            "project_id", "topic", "version", name=op.f("uq_topic_schemas_project_id_topic_version")
        ),
    )
    op.create_table(
        "durable_subscriptions",
        sa.Column("id", pg.UUID(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("ack_wait_seconds", sa.Integer(), nullable=False),
        sa.Column("max_deliveries", sa.Integer(), nullable=False),
        _now("created_at"),
        _project_fk("durable_subscriptions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_durable_subscriptions")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_durable_subscriptions_project_id_name")),
    )


def downgrade() -> None:
    for table in ("durable_subscriptions", "topic_schemas", "retention_policies"):
        op.drop_table(table)
