"""Engines and sessions; the one place that knows SQLite pragmas."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from store.errors import StoreError

__all__ = ["DEFAULT_DB_URL", "make_engine", "open_store", "resolve_db_url"]

DEFAULT_DB_URL = "sqlite:///data/govnews.db"


def resolve_db_url(url: str | None) -> str:
    """The archive URL: explicit *url*, else ``GOVNEWS_DB``, else ``./data/govnews.db``."""
    url = url or os.environ.get("GOVNEWS_DB") or DEFAULT_DB_URL
    if "://" not in url:  # a bare path means an SQLite file
        url = f"sqlite:///{url}"
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a vague text
        raise StoreError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://")
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets cleaning workers read and write while the crawl process appends captures
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for *url*; creates the SQLite file's directory when needed."""
    url = resolve_db_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":  # plain postgresql:// would pick psycopg2, which we do not ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError("PostgreSQL support needs: pip install 'govnews[postgres]'") from exc


@contextmanager
def open_store(url: str | None = None, *, migrate_schema: bool = True) -> Iterator[Session]:
    """A session on the archive at *url*, migrated to the current schema first."""
    engine = make_engine(url)
    try:
        if migrate_schema:
            from store.migrate import migrate

            migrate(engine)
        factory = sessionmaker(engine, expire_on_commit=False)
        with factory() as session:
            yield session
    finally:
        engine.dispose()
