"""The govnews archive: SQLAlchemy models, migrations and the read/write paths over them.

A plain library: it never imports Scrapy, so the web UI, exports and cleaning workers can use it.
"""

from __future__ import annotations

from store.db import DEFAULT_DB_URL, make_engine, open_store, resolve_db_url
from store.migrate import migrate

__all__ = ["DEFAULT_DB_URL", "make_engine", "migrate", "open_store", "resolve_db_url"]
