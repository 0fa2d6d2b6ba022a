"""signing keys: the capabilities their tokens may carry at most (no escalation through a
signing key registered by a narrow API key)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("signing_keys", sa.Column("max_capabilities", pg.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("signing_keys", "max_capabilities")
