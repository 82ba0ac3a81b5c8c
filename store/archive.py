"""Write and read paths of the archive: runs, captures (raw first), failures, claims and articles."""

from __future__ import annotations

import hashlib
import os
import socket
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cleaners.dedup import DedupConfig
from store.models import Article, Capture, CrawlRun, FetchFailure, Site, utcnow
from store.upsert import upsert

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

__all__ = [
    "ArticleRow",
    "CaptureData",
    "capture_body",
    "claim_captures",
    "finish_run",
    "known_article_urls",
    "mark_cleaned",
    "record_capture",
    "record_failure",
    "save_article",
    "start_run",
    "store_article",
    "upsert_sites",
]


@dataclass(slots=True, kw_only=True)
class CaptureData:
    """One response as the crawler saw it, before anything interprets it."""

    site_key: str
    url: str
    final_url: str
    status: int
    body: bytes
    headers: list[list[str]] = field(default_factory=list)
    request_headers: list[list[str]] = field(default_factory=list)
    method: str = "GET"
    redirects: list[str] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=utcnow)
    kind: str = "page"
    challenge: str | None = None
    truncated: bool = False
    run_id: int | None = None
    declared_charset: str | None = None  # as the Content-Type header names it
    fetch_key: str | None = None  # set from a shared frontier: one capture per key, however often fetched

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


@dataclass(slots=True, kw_only=True)
class ArticleRow:
    url: str
    site_key: str
    capture_id: int
    title: str | None
    published_at: datetime | None
    published_date: date | None
    source: str | None
    author: str | None
    editor: str | None
    body: str
    body_simplified: str
    language: str | None
    script: str | None
    content_hash: str
    flags: list[str]
    removed: dict[str, Any]
    cleaner_version: str
    title_simplified: str | None = None


def start_run(session: Session, sites: Sequence[str]) -> int:
    run = CrawlRun(sites=list(sites), status="running", pid=os.getpid(), host=socket.gethostname(), stats={})
    session.add(run)
    session.commit()
    return run.id


def finish_run(session: Session, run_id: int, *, status: str, stats: Mapping[str, Any], error: str | None = None) -> None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.status = status
    run.finished_at = utcnow()
    run.stats = dict(stats)
    run.error = error
    session.commit()


def upsert_sites(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        upsert(session, Site, rows, key=["key"], update=["name", "base_url", "family", "profile"])
        session.commit()


def record_capture(session: Session, data: CaptureData) -> tuple[int, bool]:
    """Store one response; returns (capture id, is_new_body). An unchanged body becomes a revisit.

    With ``data.fetch_key`` the insert is ``ON CONFLICT DO NOTHING``: a request fetched again because
    its lease ran out after the first commit returns the first capture, and adds no row.
    """
    if data.fetch_key is not None:
        existing = session.execute(select(Capture.id).where(Capture.fetch_key == data.fetch_key)).scalar_one_or_none()
        if existing is not None:
            session.rollback()
            return existing, False
    sha = hashlib.sha256(data.body).hexdigest()
    previous = session.execute(
        select(Capture.id)
        .where(Capture.url == data.url, Capture.body_sha256 == sha, Capture.revisit_of.is_(None))
        .order_by(Capture.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    content_type = data.header("Content-Type")
    # 404/410 of an article page are cleaned too: they may be the first sign that an article was deleted
    pending = (data.kind == "article" and data.status in (200, 404, 410) and data.challenge is None
               and previous is None)
    values = {
        "run_id": data.run_id,
        "site_key": data.site_key,
        "url": data.url,
        "final_url": data.final_url,
        "method": data.method,
        "status": data.status,
        "headers": data.headers,
        "request_headers": data.request_headers,
        "redirects": data.redirects,
        "fetched_at": data.fetched_at,
        "content_type": content_type,
        "declared_charset": data.declared_charset,
        "body": None if previous is not None else zlib.compress(data.body, 6),
        "body_size": len(data.body),
        "body_sha256": sha,
        "truncated": data.truncated,
        "revisit_of": previous,
        "kind": data.kind,
        "challenge": data.challenge,
        "clean_state": "pending" if pending else "none",
        "fetch_key": data.fetch_key,
    }
    if data.fetch_key is None:
        cap = Capture(**values)
        session.add(cap)
        session.commit()
        return cap.id, previous is None
    insert = _INSERT[session.get_bind().dialect.name]
    stmt = insert(Capture).values(**values).on_conflict_do_nothing(index_elements=["fetch_key"]).returning(Capture.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    session.commit()
    if new_id is None:  # another process committed the same fetch between our check and our insert
        existing = session.execute(select(Capture.id).where(Capture.fetch_key == data.fetch_key)).scalar_one()
        return existing, False
    return new_id, previous is None


def capture_body(session: Session, capture: Capture) -> bytes:
    """The raw body of *capture*, following a revisit to the capture that holds the bytes."""
    if capture.body is None and capture.revisit_of is not None:
        original = session.get(Capture, capture.revisit_of)
        return capture_body(session, original) if original is not None else b""
    return zlib.decompress(capture.body) if capture.body else b""


def record_failure(session: Session, *, run_id: int | None, site_key: str, url: str, reason: str) -> None:
    session.add(FetchFailure(run_id=run_id, site_key=site_key, url=url, reason=reason[:255]))
    session.commit()


def known_article_urls(session: Session, site_keys: Sequence[str]) -> set[str]:
    """Article URLs already captured with a usable answer (not refetched by an incremental crawl)."""
    rows = session.execute(
        select(Capture.url).where(
            Capture.site_key.in_(list(site_keys)),
            Capture.kind == "article",
            Capture.status == 200,
            Capture.challenge.is_(None),
        )
    ).scalars()
    return set(rows)


def claim_captures(session: Session, worker: str, *, limit: int = 20, lease_s: float = 300.0) -> list[Capture]:
    """Claim up to *limit* captures waiting to be cleaned; an expired claim is taken over."""
    now = utcnow()
    expired = now - timedelta(seconds=lease_s)
    waiting = or_(
        Capture.clean_state == "pending",
        and_(Capture.clean_state == "claimed", Capture.claimed_at < expired),
    )
    ids_q = select(Capture.id).where(waiting).order_by(Capture.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids_q = ids_q.with_for_update(skip_locked=True)
    ids = list(session.execute(ids_q).scalars())
    if not ids:
        session.rollback()
        return []
    # the state test again in the UPDATE keeps two SQLite workers from taking the same rows
    result = session.execute(
        update(Capture)
        .where(Capture.id.in_(ids), waiting)
        .values(clean_state="claimed", claimed_by=worker, claimed_at=now)
        .returning(Capture.id)
    )
    got = [row[0] for row in result]
    session.commit()
    if not got:
        return []
    return list(session.execute(select(Capture).where(Capture.id.in_(got)).order_by(Capture.id)).scalars())


def mark_cleaned(
    session: Session,
    capture_id: int,
    *,
    state: str,
    reason: str | None = None,
    used_charset: str | None = None,
    meta_charset: str | None = None,
) -> None:
    values: dict[str, Any] = {"clean_state": state, "clean_reason": reason}
    if used_charset:
        values["used_charset"] = used_charset
    if meta_charset:
        values["meta_charset"] = meta_charset[:64]
    session.execute(update(Capture).where(Capture.id == capture_id).values(**values))


def save_article(session: Session, row: ArticleRow, *, version: int = 1) -> None:
    """Insert or refresh the article at *row.url* (re-cleaning a capture updates it in place)."""
    values = {
        "url": row.url,
        "site_key": row.site_key,
        "capture_id": row.capture_id,
        "title": row.title,
        "published_at": row.published_at,
        "published_date": row.published_date,
        "source": row.source,
        "author": row.author,
        "editor": row.editor,
        "body": row.body,
        "body_simplified": row.body_simplified,
        "language": row.language,
        "script": row.script,
        "content_hash": row.content_hash,
        "flags": row.flags,
        "removed": row.removed,
        "cleaner_version": row.cleaner_version,
        "title_simplified": row.title_simplified,
        "cleaned_at": datetime.now(UTC),
        "version": version,
        # a page that answers with an article again is no longer gone
        "deleted_at": None,
        "deleted_reason": None,
        "deleted_capture_id": None,
    }
    upsert(session, Article, [values], key=["url"], update=[k for k in values if k != "url"])


def store_article(session: Session, row: ArticleRow, *, dedup: DedupConfig | None = None) -> Article:
    """Save *row* as the article at its URL, keep the search index in step, and cluster it.

    A new capture whose body differs from the stored one makes a new version (the old one is kept in
    article_versions); re-cleaning the same capture (reprocess) updates the article in place.
    """
    from store.dedup import assign_cluster
    from store.search import index_article, unindex_article
    from store.versions import keep_old_version

    previous = session.execute(select(Article).where(Article.url == row.url)).scalar_one_or_none()
    version = 1
    if previous is not None:
        version = previous.version
        if previous.capture_id != row.capture_id and previous.content_hash != row.content_hash:
            keep_old_version(session, previous, superseded_by=row.capture_id)
            version += 1
        old_title, old_body, old_id = previous.title_simplified, previous.body_simplified, previous.id
    save_article(session, row, version=version)
    article = session.execute(
        select(Article).where(Article.url == row.url).execution_options(populate_existing=True)
    ).scalar_one()
    if previous is not None:
        unindex_article(session, old_id, old_title, old_body)
    index_article(session, article.id, article.title_simplified, article.body_simplified)
    assign_cluster(session, article, dedup)
    return article


def site_counts(session: Session, site_keys: Sequence[str] | None = None) -> dict[str, int]:
    q = select(Article.site_key, func.count()).group_by(Article.site_key)
    if site_keys:
        q = q.where(Article.site_key.in_(list(site_keys)))
    return {k: n for k, n in session.execute(q)}
