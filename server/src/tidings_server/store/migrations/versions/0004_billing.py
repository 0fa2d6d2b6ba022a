"""billing: plans, billing accounts, usage ledger, quotas, Stripe reports and events;
project suspension

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DAY = 86400

# The seeded plans (operators edit them over the API). Limits are per month except connections
# (concurrent) and the publish rate (events per second, cluster-wide); NULL is unlimited. Rates
# sit at or above the default per-tenant request rate (1,000/s) for paid plans and leave room
# for a full batch (100 events) within every burst.
PLANS = [
    # name, display name, events/mo, deliveries/mo, connections, rate, burst, projects,
    # retention ceiling (s), overage
    ("free", "Free", 100_000, 1_000_000, 100, 20.0, 200, 2, 1 * _DAY, "block"),
    ("trial", "Trial", 1_000_000, 10_000_000, 200, 200.0, 1000, 3, 7 * _DAY, "block"),
    ("pro", "Pro", 50_000_000, 500_000_000, 10_000, 2000.0, 5000, 50, 30 * _DAY, "bill"),
    ("enterprise", "Enterprise", None, None, None, None, None, None, 90 * _DAY, "bill"),
]


def _now(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.add_column("projects", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
    plans = op.create_table(
        "plans",
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("events_per_month", sa.BigInteger(), nullable=True),
        sa.Column("deliveries_per_month", sa.BigInteger(), nullable=True),
        sa.Column("peak_connections", sa.Integer(), nullable=True),
        sa.Column("publish_rate", sa.Float(), nullable=True),
        sa.Column("publish_burst", sa.Integer(), nullable=True),
        sa.Column("max_projects", sa.Integer(), nullable=True),
        sa.Column("retention_max_age_seconds", sa.BigInteger(), nullable=True),
        sa.Column("warn_ratio", sa.Float(), server_default=sa.text("0.8"), nullable=False),
        sa.Column("overage", sa.String(8), server_default="block", nullable=False),
        sa.Column("stripe_price_ids", pg.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        _now("updated_at"),
        sa.CheckConstraint("overage IN ('block', 'bill')", name=op.f("ck_plans_overage")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plans")),
    )
    columns = (
        "name",
        "display_name",
        "events_per_month",
        "deliveries_per_month",
        "peak_connections",
        "publish_rate",
        "publish_burst",
        "max_projects",
        "retention_max_age_seconds",
        "overage",
    )
    op.bulk_insert(plans, [dict(zip(columns, plan, strict=True)) for plan in PLANS])
    op.create_table(
        "billing_accounts",
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(255), nullable=True),
        sa.Column("subscription_status", sa.String(32), nullable=True),
        sa.Column("subscription_event_at", sa.BigInteger(), nullable=True),
        sa.Column("has_payment_method", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("trial_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_reason", sa.String(32), nullable=True),
        _now("updated_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            ondelete="CASCADE",
            name=op.f("fk_billing_accounts_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_billing_accounts")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_billing_accounts_stripe_customer_id")),
    )
    op.create_table(
        "usage_daily",
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("project_id", pg.UUID(), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "project_id", "metric", "day", name=op.f("pk_usage_daily")),
    )
    op.create_table(
        "usage_flushes",
        sa.Column("flush_id", sa.String(64), nullable=False),
        _now("applied_at"),
        sa.PrimaryKeyConstraint("flush_id", name=op.f("pk_usage_flushes")),
    )
    op.create_index(op.f("ix_usage_flushes_applied_at"), "usage_flushes", ["applied_at"])
    op.create_table(
        "usage_quotas",
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("granted", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "metric", "period", name=op.f("pk_usage_quotas")),
    )
    op.create_table(
        "usage_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("identifier", sa.String(100), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        _now("created_at"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_reports")),
        sa.UniqueConstraint("identifier", name=op.f("uq_usage_reports_identifier")),
        sa.UniqueConstraint(
            "tenant_id", "metric", "day", "seq", name=op.f("uq_usage_reports_tenant_id_metric_day_seq")
        ),
    )
    op.create_index(
        "ix_usage_reports_unsent", "usage_reports", ["id"], postgresql_where=sa.text("sent_at IS NULL")
    )
    op.create_table(
        "stripe_events",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("tenant_id", pg.UUID(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        _now("received_at"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_stripe_events")),
    )


def downgrade() -> None:
    for table in (
        "stripe_events",
        "usage_reports",
        "usage_quotas",
        "usage_flushes",
        "usage_daily",
        "billing_accounts",
        "plans",
    ):
        op.drop_table(table)
    op.drop_column("projects", "suspended_at")
