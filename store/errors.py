"""Exceptions raised by the store.

* StoreError            the archive cannot be opened or written as asked
  * SchemaOutOfDate     the database was written by a newer govnews
"""

from __future__ import annotations

__all__ = ["SchemaOutOfDate", "StoreError"]


class StoreError(Exception):
    """The archive cannot be opened or used as asked."""


class SchemaOutOfDate(StoreError):
    """The database schema is newer than this govnews knows."""
