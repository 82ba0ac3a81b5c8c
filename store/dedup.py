"""Reprint clusters in the archive: exact and near-duplicate matching persisted in SQL (both backends).

Signatures and LSH band keys are stored with each article, so a reprint found tonight joins the
cluster of an original archived a year ago by another crawl process. The canonical member of a
cluster is the earliest published, then the earliest captured.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from cleaners.dedup import DedupConfig, band_keys, from_bytes, signature, similarity, to_bytes
from store.models import Article, Cluster, LshBand

__all__ = ["DedupOutcome", "assign_cluster", "recompute_canonical"]


@dataclass(frozen=True, slots=True)
class DedupOutcome:
    cluster_id: int
    reason: str | None  # exact_duplicate_of:<id>, near_duplicate_of:<id>, or None for a new cluster
    similarity: float | None = None


def _lock(session: Session) -> None:
    # cluster assignment is read-then-write; concurrent PostgreSQL workers take turns here
    if session.get_bind().dialect.name == "postgresql":
        # keyed by schema too, so archives sharing one database do not wait on each other
        session.execute(text("SELECT pg_advisory_xact_lock(7416253, hashtext(current_schema()))"))


def recompute_canonical(session: Session, cluster_id: int) -> None:
    """Set the cluster's size and canonical member (earliest published, then first seen, then id)."""
    members = session.execute(
        select(Article.id)
        .where(Article.cluster_id == cluster_id)
        .order_by(Article.published_at.asc().nulls_last(), Article.first_seen_at.asc(), Article.id.asc())
    ).scalars().all()
    if not members:
        session.execute(delete(Cluster).where(Cluster.id == cluster_id))
        return
    session.execute(update(Cluster).where(Cluster.id == cluster_id).values(canonical_id=members[0], size=len(members)))


def _leave_cluster(session: Session, article: Article) -> None:
    old = article.cluster_id
    if old is None:  # a new article: nothing to leave
        return
    article.cluster_id = None
    session.flush()
    recompute_canonical(session, old)


def assign_cluster(session: Session, article: Article, config: DedupConfig | None = None) -> DedupOutcome:
    """Put *article* (flushed, with body_simplified and content_hash set) into its reprint cluster."""
    config = config or DedupConfig()
    _lock(session)
    _leave_cluster(session, article)
    session.execute(delete(LshBand).where(LshBand.article_id == article.id))
    sig = signature(article.body_simplified or article.body, config)
    keys = band_keys(sig, config)
    article.minhash = to_bytes(sig)
    session.execute(insert(LshBand), [{"band": i, "bucket": k, "article_id": article.id} for i, k in enumerate(keys)])

    outcome: DedupOutcome | None = None
    # no ORDER BY/LIMIT here: with them PostgreSQL may walk the primary key instead of the hash index
    same = session.execute(
        select(Article.id, Article.cluster_id)
        .where(Article.content_hash == article.content_hash, Article.id != article.id, Article.cluster_id.is_not(None))
    ).all()
    exact = min(same) if same else None
    if exact is not None:
        outcome = DedupOutcome(exact.cluster_id, f"exact_duplicate_of:{exact.id}", 1.0)
    else:
        wanted = set(enumerate(keys))
        # band keys are 63-bit hashes: look up by key alone (an index range per key), check the band here
        hits = session.execute(
            select(LshBand.article_id, LshBand.band, LshBand.bucket).where(
                LshBand.bucket.in_(keys), LshBand.article_id != article.id
            )
        ).all()
        cand_ids = sorted({a for a, band, bucket in hits if (band, bucket) in wanted})
        candidates = session.execute(
            select(Article.id, Article.cluster_id, Article.minhash)
            .where(Article.id.in_(cand_ids), Article.cluster_id.is_not(None), Article.minhash.is_not(None))
            .order_by(Article.id)
        ).all() if cand_ids else []
        best: tuple[float, int, int] | None = None
        for cand_id, cand_cluster, raw in candidates:
            sim = similarity(sig, from_bytes(raw))
            if sim >= config.threshold and (best is None or sim > best[0]):
                best = (sim, cand_id, cand_cluster)
        if best is not None:
            outcome = DedupOutcome(best[2], f"near_duplicate_of:{best[1]}", best[0])
    if outcome is None:
        new_id = session.execute(insert(Cluster).values(size=1, canonical_id=article.id).returning(Cluster.id)).scalar_one()
        outcome = DedupOutcome(new_id, None)
    article.cluster_id = outcome.cluster_id
    article.dup_reason = outcome.reason
    session.flush()
    if outcome.reason is not None:  # a new cluster of one is already right
        recompute_canonical(session, outcome.cluster_id)
    return outcome


def cluster_sizes(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Article.cluster_id, func.count()).group_by(Article.cluster_id)).all())
