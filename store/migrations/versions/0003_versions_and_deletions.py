"""article versions and deletions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("deleted_at", store.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("deleted_capture_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("last_checked_at", store.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("recheck_step", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "article_versions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("article_id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", store.models.UTCDateTime(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("flags", JSONDoc, nullable=False),
        sa.Column("cleaned_at", store.models.UTCDateTime(), nullable=False),
        sa.Column("superseded_at", store.models.UTCDateTime(), nullable=False),
        sa.Column("superseded_by_capture_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_article_versions_article_id", "article_versions", ["article_id"])
    op.create_index("ix_article_versions_superseded_by_capture_id", "article_versions", ["superseded_by_capture_id"])
    op.create_index("uq_article_versions", "article_versions", ["article_id", "version"], unique=True)


def downgrade() -> None:
    op.drop_table("article_versions")
    with op.batch_alter_table("articles") as batch:
        for col in ("recheck_step", "last_checked_at", "deleted_capture_id", "deleted_reason", "deleted_at", "version"):
            batch.drop_column(col)
