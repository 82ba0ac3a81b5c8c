"""Search benchmark: latency p50/p95 on an archive of N generated articles, SQLite and PostgreSQL.

Reuses the archive bench/dedup.py built for the same N (or builds the same rows with bench/_bulk.py),
prints the index size and the latency of one-, two- and four-character words and phrases, with and
without site/date filters.

    .venv/bin/python bench/search.py [--n 200000] [--backend sqlite|postgresql|both] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench._bulk import build_bulk
from bench.dedup import backend_url
from store import make_engine, migrate
from store.models import Article
from store.search import search

QUERIES = {
    "1 char": ["网", "扶", "镕"],
    "2 chars": ["扶贫", "网信", "數據"],
    "4 chars": ["脱贫攻坚", "个人信息", "乡村振兴"],
    "phrase": ['"网络安全 工作"', '"专项行动 取得实效"'],
    "2 terms": ["网信 乡村振兴", "数据 安全"],
}
FILTERS = {"none": {}, "site": {"site": "sc"}, "site+dates": {"site": "sc", "since": date(2025, 1, 1),
                                                           "until": date(2025, 12, 31)}}


def index_size(session: Session) -> str:
    if session.get_bind().dialect.name == "sqlite":
        pages = session.execute(text("SELECT count(*) FROM dbstat WHERE name LIKE 'article_fts%'")).scalar() \
            if _has_dbstat(session) else None
        page_size = session.execute(text("PRAGMA page_size")).scalar()
        total = session.execute(text("PRAGMA page_count")).scalar() * page_size
        fts = f"{pages * page_size / 2**20:.0f} MiB" if pages is not None else "n/a"
        return f"FTS index {fts}, database {total / 2**20:.0f} MiB"
    fts = session.execute(text("SELECT pg_total_relation_size('article_search')")).scalar()
    db = session.execute(text("SELECT pg_total_relation_size('articles')")).scalar()
    return f"tsvector+GIN {fts / 2**20:.0f} MiB, articles table {db / 2**20:.0f} MiB"


def _has_dbstat(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1 FROM dbstat LIMIT 1"))
        return True
    except Exception:  # noqa: BLE001 - SQLite built without dbstat
        session.rollback()
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; {args.runs} runs per query; limit 20, one result per cluster;"
          " hits = most results any query of the class returned (capped by the limit)")
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        url = backend_url(backend, args.n, fresh=False)
        engine = make_engine(url)
        if _exists_url(engine):
            migrate(engine)  # an archive built by an older govnews gets the newer columns first
        with Session(engine) as s:
            have = s.scalar(select(func.count()).select_from(Article)) if _exists(s) else 0
        if have != args.n:
            engine.dispose()
            print(f"{backend}: building {args.n} articles (the rows bench/dedup.py's ingest writes, in bulk)")
            build_bulk(backend_url(backend, args.n, fresh=True), args.n)
            engine = make_engine(url)
        with Session(engine) as s:
            print(f"\n{backend}: {args.n} articles; {index_size(s)}")
            print(f"{'query class':12} {'filter':11} {'p50 ms':>8} {'p95 ms':>8} {'hits':>6}")
            for label, queries in QUERIES.items():
                for fname, kw in FILTERS.items():
                    times, hits = [], 0
                    for q in queries:
                        search(s, q, limit=20, **kw)  # warm
                        for _ in range(args.runs):
                            t0 = time.perf_counter()
                            hits = max(hits, len(search(s, q, limit=20, **kw)))
                            times.append((time.perf_counter() - t0) * 1000)
                    times.sort()
                    p95 = times[int(len(times) * 0.95) - 1]
                    print(f"{label:12} {fname:11} {statistics.median(times):8.1f} {p95:8.1f} {hits:6d}")
        engine.dispose()


def _exists_url(engine: object) -> bool:
    from sqlalchemy import inspect

    return "articles" in inspect(engine).get_table_names()


def _exists(s: Session) -> bool:
    from sqlalchemy import inspect

    return "articles" in inspect(s.get_bind()).get_table_names()


if __name__ == "__main__":
    main()
