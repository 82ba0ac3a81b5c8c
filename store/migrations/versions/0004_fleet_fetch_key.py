"""captures.fetch_key: idempotent captures from a shared frontier

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("fetch_key", sa.String(length=80), nullable=True))
    # NULLs never conflict (SQLite and PostgreSQL alike): captures outside a fleet are unaffected
    op.create_index("ux_captures_fetch_key", "captures", ["fetch_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_captures_fetch_key", table_name="captures")
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("fetch_key")
