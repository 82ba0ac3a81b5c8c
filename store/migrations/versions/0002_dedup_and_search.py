"""dedup clusters, LSH bands and the full-text index

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:10:00

The search index is the one dialect-specific table: an FTS5 table of single-character tokens on
SQLite, a tsvector with a GIN index on PostgreSQL (store.search explains why unigrams).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", BigId, nullable=False),
        sa.Column("canonical_id", sa.BigInteger(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("title_simplified", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cluster_id", BigId, nullable=True))
        batch.add_column(sa.Column("dup_reason", sa.String(length=96), nullable=True))
        batch.add_column(sa.Column("minhash", sa.LargeBinary(), nullable=True))
        batch.create_index("ix_articles_cluster_id", ["cluster_id"])
        batch.create_foreign_key("fk_articles_cluster", "clusters", ["cluster_id"], ["id"])
    op.create_table(
        "lsh_bands",
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("article_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bucket", "band", "article_id"),  # looked up by bucket
    )
    op.create_index("ix_lsh_bands_article", "lsh_bands", ["article_id"])
    if op.get_bind().dialect.name == "sqlite":
        # contentless: the text lives in articles; only token positions are kept here
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "title, body, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        op.create_table(
            "article_search",
            sa.Column("article_id", sa.BigInteger(), nullable=False),
            sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("article_id"),
        )
        op.execute("CREATE INDEX ix_article_search_tsv ON article_search USING gin (tsv)")
    op.create_table(
        "search_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("search_meta")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE article_fts")
    else:
        op.drop_table("article_search")
    op.drop_index("ix_lsh_bands_article", table_name="lsh_bands")
    op.drop_table("lsh_bands")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint("fk_articles_cluster", type_="foreignkey")
        batch.drop_index("ix_articles_cluster_id")
        batch.drop_column("minhash")
        batch.drop_column("dup_reason")
        batch.drop_column("cluster_id")
        batch.drop_column("title_simplified")
    op.drop_table("clusters")
