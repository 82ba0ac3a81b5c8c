"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import make_engine, migrate
from store.models import Base

# tables the models do not describe: the dialect-specific search index and Alembic's own
_NOT_MODELLED = ("article_fts", "article_search", "alembic_version")


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, Base.metadata) if not any(t in repr(d) for t in _NOT_MODELLED)]
    engine.dispose()
    assert diff == []
