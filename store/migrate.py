"""Alembic migrations, applied by `govnews migrate` and on first use of an empty database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from store.errors import SchemaOutOfDate

__all__ = ["current_revision", "head_revision", "migrate"]

_SCRIPTS = Path(__file__).with_name("migrations")


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(_SCRIPTS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after). Cheap when already current."""
    before = current_revision(engine)
    head = head_revision()
    if before == head:
        return before, head
    known = {s.revision for s in ScriptDirectory(str(_SCRIPTS)).walk_revisions()}
    if before is not None and before not in known:
        raise SchemaOutOfDate(f"database schema {before} is newer than this govnews ({head}); upgrade govnews")
    command.upgrade(_config(engine), "head")
    return before, head
