"""INSERT ... ON CONFLICT for SQLite and PostgreSQL: one of the few dialect-aware places (G11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["upsert"]

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_CACHE: dict[tuple[Any, ...], Any] = {}


def _statement(dialect: str, model: Any, key: tuple[str, ...], update: tuple[str, ...]) -> Any:
    # built once per shape and executed with parameters: building it is most of an upsert's cost
    cache_key = (dialect, model, key, update)
    stmt = _CACHE.get(cache_key)
    if stmt is None:
        stmt = _INSERT[dialect](model)
        if update:
            stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in update})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        _CACHE[cache_key] = stmt
    return stmt


def upsert(
    session: Session, model: Any, rows: Sequence[Mapping[str, Any]], *, key: Sequence[str], update: Sequence[str]
) -> None:
    """Insert *rows* (all with the same keys), updating *update* columns where *key* already exists."""
    if not rows:
        return
    stmt = _statement(session.get_bind().dialect.name, model, tuple(key), tuple(update))
    session.execute(stmt, [dict(r) for r in rows])
