"""A generated archive of N articles for the store benchmarks (search, dedup), on any backend.

Articles come from the sample web's text generator; every 40th is a reprint of an earlier one
(other title prefix, an editor line, re-flowed spaces) so the clusters look like real ones, and
every 20th is in Traditional script. Ingest goes through the same functions as the cleaning workers;
bench/_bulk.py writes the same rows in batches, for the benchmarks that only need the archive.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from cleaners.dedup import exact_key
from cleaners.language import to_simplified
from sandbox.textgen import filler_body, filler_title, to_traditional
from store import make_engine, migrate
from store.archive import ArticleRow, CaptureData, record_capture, save_article
from store.dedup import assign_cluster
from store.models import Article
from store.search import index_article

CST = __import__("datetime").timezone(timedelta(hours=8))
SITES = ("cac", "jswx", "jiangsu", "sc", "cq", "gov", "taiwan", "nmgwx")


@dataclass(slots=True)
class IngestTimes:
    articles: int = 0
    save_s: float = 0.0
    index_s: float = 0.0
    dedup_s: float = 0.0
    wall_s: float = 0.0
    timings: list[float] = field(default_factory=list)


def article(i: int) -> tuple[str, str, str, datetime]:
    """(site, title, body, published) of generated article *i*; deterministic."""
    rng = random.Random(f"bench:{i}")
    if i % 40 == 39:  # a reprint of an earlier article, with the chrome changes reprints have
        _site, title, body, published = article(rng.randrange(0, i - 1))
        return (SITES[i % len(SITES)], "转发：" + title, "\n".join("　　" + p for p in body.split("\n"))
                + "\n（责任编辑：王某）", published + timedelta(days=1))
    title = filler_title(rng)
    body = "\n".join(filler_body(rng))
    if i % 20 == 7:
        title, body = to_traditional(title), to_traditional(body)
    published = datetime(2026, 6, 30, 9, 0, tzinfo=CST) - timedelta(minutes=37 * i)
    return SITES[i % len(SITES)], title, body, published


def build(url: str, n: int, *, batch: int = 500, progress: bool = True) -> IngestTimes:
    """Fill a fresh archive at *url* with *n* articles; returns how long each stage took."""
    engine = make_engine(url)
    migrate(engine)
    times = IngestTimes()
    t_start = time.perf_counter()
    with sessionmaker(engine, expire_on_commit=False)() as s:
        cap, _ = record_capture(s, CaptureData(site_key="bench", url="http://bench.test/", final_url="http://bench.test/",
                                               status=200, body=b"bench", kind="page"))
        for i in range(n):
            site, title, body, published = article(i)
            simp = to_simplified(body)
            t0 = time.perf_counter()
            save_article(s, ArticleRow(
                url=f"http://{site}.bench.test/a/{i}.html", site_key=site, capture_id=cap, title=title,
                published_at=published, published_date=published.date(), source="来源", author=None,
                editor=None, body=body, body_simplified=simp, language="zh", script=None,
                content_hash=exact_key(simp), flags=[], removed={}, cleaner_version="bench",
                title_simplified=to_simplified(title)))
            art = s.execute(select(Article).where(Article.url == f"http://{site}.bench.test/a/{i}.html")).scalar_one()
            t1 = time.perf_counter()
            index_article(s, art.id, art.title_simplified, simp)
            t2 = time.perf_counter()
            assign_cluster(s, art)
            t3 = time.perf_counter()
            times.save_s += t1 - t0
            times.index_s += t2 - t1
            times.dedup_s += t3 - t2
            times.articles += 1
            if (i + 1) % batch == 0:
                s.commit()
                s.expunge_all()
                if progress:
                    rate = (i + 1) / (time.perf_counter() - t_start)
                    print(f"\r  {i + 1}/{n} articles, {rate:.0f}/s", end="", flush=True)
        s.commit()
        # what autovacuum (off on some servers) or a nightly maintenance job would do for the planner
        s.execute(text("ANALYZE"))
        s.commit()
    if progress:
        print()
    times.wall_s = time.perf_counter() - t_start
    engine.dispose()
    return times


def ensure(url: str, n: int) -> IngestTimes | None:
    """Build the archive at *url* unless it already holds *n* articles (then None)."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            from sqlalchemy import func, inspect

            if "articles" in inspect(engine).get_table_names():
                have = s.scalar(select(func.count()).select_from(Article))
                if have == n:
                    return None
    finally:
        engine.dispose()
    return build(url, n)


if __name__ == "__main__":  # a quick look: python bench/_corpus.py sqlite:////tmp/c.db 2000
    import sys

    t = build(sys.argv[1], int(sys.argv[2]))
    print(f"{t.articles} articles in {t.wall_s:.1f}s: save {t.save_s:.1f}s index {t.index_s:.1f}s dedup {t.dedup_s:.1f}s")
