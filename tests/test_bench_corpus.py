"""The benchmarks' bulk archive build writes exactly the rows of the one-by-one ingest, on both backends."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from store import make_engine

ROOT = Path(__file__).resolve().parents[1]
N = 125  # three planted reprints (every 40th) and seven Traditional articles (every 20th)
_VARYING = {"first_seen_at", "cleaned_at", "created_at", "fetched_at"}  # when the build ran


def _bench(name: str) -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"bench.{name}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_archives(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'bulk.db'}"
    return request.getfixturevalue("pg_url"), request.getfixturevalue("pg_module_url")


def _rows(engine: Engine, table: str, order: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).mappings().all()
    return [{k: v for k, v in r.items() if k not in _VARYING} for r in rows]


def _index(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # a contentless FTS5 table: compare every token instance it holds
            conn.execute(text("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, article_fts, instance)"))
            return [tuple(r) for r in conn.execute(text("SELECT term, doc, col, offset FROM temp.v "
                                                        "ORDER BY doc, col, offset"))]
        return [tuple(r) for r in conn.execute(text("SELECT article_id, tsv::text FROM article_search ORDER BY 1"))]


def test_bulk_build_equals_the_ingest_path(two_archives: tuple[str, str]) -> None:
    one, bulk = two_archives
    _bench("_corpus").build(one, N, progress=False)
    _bench("_bulk").build_bulk(bulk, N, batch=40, jobs=1, progress=False)  # batches split the reprint pairs
    engines = [make_engine(one), make_engine(bulk)]
    try:
        for table, order in (("articles", "id"), ("clusters", "id"), ("lsh_bands", "article_id, band"),
                             ("captures", "id")):
            a, b = (_rows(e, table, order) for e in engines)
            assert a == b, table
        assert _index(engines[0]) == _index(engines[1])
        reasons = [r["dup_reason"] for r in _rows(engines[1], "articles", "id") if r["dup_reason"]]
        assert len(reasons) == 3 and all(r.startswith("near_duplicate_of:") for r in reasons)
    finally:
        for e in engines:
            e.dispose()
