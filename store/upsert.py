"""INSERT ... ON CONFLICT for SQLite and PostgreSQL: one of the few dialect-aware places (G11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["upsert"]

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert(
    session: Session, model: Any, rows: Sequence[Mapping[str, Any]], *, key: Sequence[str], update: Sequence[str]
) -> None:
    """Insert *rows*, updating *update* columns where *key* already exists."""
    stmt = _INSERT[session.get_bind().dialect.name](model).values(list(rows))
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in update})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    session.execute(stmt)
