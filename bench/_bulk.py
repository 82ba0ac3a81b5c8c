"""bench._corpus's archive written in batches: the same rows as its one-by-one ingest, several times faster.

The text work (generation, Simplified script, exact key, index tokens, MinHash) runs in worker
processes; the main process writes a batch at a time with executemany. Dedup replays
store.dedup.assign_cluster's rules exactly (exact key first, the lowest id of equal keys; else the
most similar LSH candidate at or above the threshold, the lowest id on a tie; canonical = earliest
published, then first seen, then id), with previous batches looked up in SQL and the current one in
memory. tests/test_bench_corpus.py checks that both builds give identical rows on both backends.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bench._corpus import IngestTimes, article
from cleaners.dedup import DedupConfig, band_keys, exact_key, from_bytes, signature, similarity, to_bytes
from cleaners.language import to_simplified
from store import make_engine, migrate
from store.archive import CaptureData, record_capture
from store.models import Article, Cluster, LshBand
from store.textsearch import BREAK, segment

__all__ = ["build_bulk"]

_CONFIG = DedupConfig()


@dataclass(slots=True)
class _Doc:
    i: int
    site: str
    title: str
    body: str
    published: datetime
    simp: str
    title_simp: str
    key: str
    seg_title: str
    seg_body: str
    minhash: bytes
    bands: list[int]


def _prepare(i: int) -> _Doc:
    site, title, body, published = article(i)
    simp = to_simplified(body)
    title_simp = to_simplified(title)
    sig = signature(simp or body, _CONFIG)
    return _Doc(i, site, title, body, published, simp, title_simp, exact_key(simp),
                segment(title_simp, simplified=True), segment(simp, simplified=True), to_bytes(sig),
                band_keys(sig, _CONFIG))


def _url(d: _Doc) -> str:
    return f"http://{d.site}.bench.test/a/{d.i}.html"


class _Clusters:
    """Cluster assignment as store.dedup does it, for articles that arrive in id order."""

    def __init__(self) -> None:
        self.next_id = 1
        self.state: dict[int, list[Any]] = {}  # cluster id -> [size, (published, id) of the canonical]
        self.touched: set[int] = set()

    def assign(self, session: Session, docs: list[tuple[int, _Doc]]) -> list[tuple[int, str | None]]:
        """(cluster id, dup reason) of each (article id, doc) of one batch."""
        hashes = {d.key for _, d in docs}
        by_hash: dict[str, tuple[int, int]] = {}  # content hash -> (lowest id, its cluster)
        for art_id, cluster, key in session.execute(
                select(Article.id, Article.cluster_id, Article.content_hash).where(Article.content_hash.in_(hashes))):
            if key not in by_hash or art_id < by_hash[key][0]:
                by_hash[key] = (art_id, cluster)
        keys = sorted({k for _, d in docs for k in d.bands})
        by_band: dict[tuple[int, int], list[int]] = {}
        for art_id, band, bucket in session.execute(
                select(LshBand.article_id, LshBand.band, LshBand.bucket).where(LshBand.bucket.in_(keys))):
            by_band.setdefault((band, bucket), []).append(art_id)
        wanted = {a for _, d in docs for pair in enumerate(d.bands) for a in by_band.get(pair, [])}
        known: dict[int, tuple[int, bytes]] = {}  # article id -> (cluster, minhash)
        if wanted:
            rows = select(Article.id, Article.cluster_id, Article.minhash).where(Article.id.in_(sorted(wanted)))
            known = {a: (c, m) for a, c, m in session.execute(rows)}
        out = []
        for art_id, d in docs:
            if d.key in by_hash:
                first, cluster = by_hash[d.key]
                outcome: tuple[int, str | None] = (cluster, f"exact_duplicate_of:{first}")
            else:
                outcome = self._near(art_id, d, by_band, known)
            cluster, reason = outcome
            if reason is None:
                self.state[cluster] = [1, (d.published, art_id)]
            else:
                entry = self.state[cluster]
                entry[0] += 1
                entry[1] = min(entry[1], (d.published, art_id))
                self.touched.add(cluster)
            by_hash.setdefault(d.key, (art_id, cluster))
            for pair in enumerate(d.bands):
                by_band.setdefault(pair, []).append(art_id)
            known[art_id] = (cluster, d.minhash)
            out.append(outcome)
        return out

    def _near(self, art_id: int, d: _Doc, by_band: dict[tuple[int, int], list[int]],
              known: dict[int, tuple[int, bytes]]) -> tuple[int, str | None]:
        sig = from_bytes(d.minhash)
        best: tuple[float, int, int] | None = None
        for cand in sorted({a for pair in enumerate(d.bands) for a in by_band.get(pair, [])}):
            cluster, raw = known[cand]
            sim = similarity(sig, from_bytes(raw))
            if sim >= _CONFIG.threshold and (best is None or sim > best[0]):
                best = (sim, cand, cluster)
        if best is not None:
            return best[2], f"near_duplicate_of:{best[1]}"
        cluster = self.next_id
        self.next_id += 1
        return cluster, None


def _write(session: Session, docs: list[tuple[int, _Doc]], clusters: _Clusters, capture: int) -> None:
    outcomes = clusters.assign(session, docs)
    now = datetime.now(UTC)
    new = [c for c, reason in outcomes if reason is None]
    session.execute(insert(Cluster), [{"id": c, "size": clusters.state[c][0], "canonical_id": clusters.state[c][1][1],
                                       "created_at": now} for c in new])
    session.execute(insert(Article), [{
        "id": art_id, "url": _url(d), "site_key": d.site, "capture_id": capture, "title": d.title,
        "published_at": d.published, "published_date": d.published.date(), "source": "来源", "author": None,
        "editor": None, "body": d.body, "body_simplified": d.simp, "language": "zh", "script": None,
        "content_hash": d.key, "flags": [], "removed": {}, "cleaner_version": "bench", "title_simplified": d.title_simp,
        "first_seen_at": now, "cleaned_at": now, "version": 1, "cluster_id": cluster, "dup_reason": reason,
        "minhash": d.minhash, "recheck_step": 0,
    } for (art_id, d), (cluster, reason) in zip(docs, outcomes, strict=True)])
    session.execute(insert(LshBand), [{"band": b, "bucket": k, "article_id": art_id}
                                      for art_id, d in docs for b, k in enumerate(d.bands)])
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO article_fts(rowid, title, body) VALUES (:id, :t, :b)"),
                        [{"id": art_id, "t": d.seg_title, "b": d.seg_body} for art_id, d in docs])
    else:
        session.execute(text("INSERT INTO article_search(article_id, tsv) VALUES (:id, to_tsvector('simple', :v))"),
                        [{"id": art_id, "v": f"{d.seg_title} {BREAK} {d.seg_body}"} for art_id, d in docs])
    old = clusters.touched - set(new)
    if old:
        session.execute(update(Cluster), [{"id": c, "size": clusters.state[c][0],
                                           "canonical_id": clusters.state[c][1][1]} for c in sorted(old)])
    clusters.touched.clear()


def build_bulk(url: str, n: int, *, batch: int = 1000, jobs: int | None = None, progress: bool = True) -> IngestTimes:
    """Fill a fresh archive at *url* with bench._corpus's *n* articles, a batch at a time."""
    engine = make_engine(url)
    migrate(engine)
    times = IngestTimes()
    t_start = time.perf_counter()
    jobs = jobs or min(2, os.cpu_count() or 1)
    with Session(engine, expire_on_commit=False) as s:
        if s.scalar(select(func.count()).select_from(Article)):
            raise SystemExit(f"{url} already holds articles: the bulk build needs a fresh archive")
        cap, _ = record_capture(s, CaptureData(site_key="bench", url="http://bench.test/", final_url="http://bench.test/",
                                               status=200, body=b"bench", kind="page"))
        s.commit()
        clusters = _Clusters()
        pending: list[tuple[int, _Doc]] = []
        with contextlib.ExitStack() as stack:
            if jobs > 1:
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(jobs))
                prepared: Iterator[_Doc] = pool.imap(_prepare, range(n), chunksize=64)
            else:
                prepared = map(_prepare, range(n))
            for d in prepared:
                pending.append((d.i + 1, d))  # a fresh archive numbers articles from 1, in ingest order
                if len(pending) == batch or d.i == n - 1:
                    _write(s, pending, clusters, cap)
                    s.commit()
                    times.articles += len(pending)
                    pending = []
                    if progress:
                        rate = times.articles / (time.perf_counter() - t_start)
                        print(f"\r  {times.articles}/{n} articles, {rate:.0f}/s", end="", flush=True)
        if s.get_bind().dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("articles", "clusters"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
        s.execute(text("ANALYZE"))
        s.commit()
    if progress:
        print()
    times.wall_s = time.perf_counter() - t_start
    engine.dispose()
    return times
