"""SQLAlchemy models of the archive: sites, crawl runs, raw captures, fetch failures, articles.

Raw captures are the source of truth; articles are derived from them by the cleaners and can be
rebuilt at any time (``govnews reprocess``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Article",
    "ArticleVersion",
    "Base",
    "Capture",
    "Cluster",
    "CrawlRun",
    "FetchFailure",
    "LshBand",
    "SearchMeta",
    "Site",
    "UTCDateTime",
    "utcnow",
]

JSONDoc = JSON().with_variant(JSONB(), "postgresql")
# SQLite has no BIGINT autoincrement; INTEGER PRIMARY KEY is its 64-bit rowid
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores aware times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Site(Base):
    """A crawled site as its profile described it when it was last crawled."""

    __tablename__ = "sites"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(2048))
    family: Mapped[str] = mapped_column(String(32), default="generic")
    profile: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrawlRun(Base):
    """One `govnews crawl`: when, what, how it ended and what it did per site."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running finished failed interrupted
    sites: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))


class Capture(Base):
    """One HTTP response exactly as received: the archive's source of truth."""

    __tablename__ = "captures"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_key: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(4096))  # as requested
    final_url: Mapped[str] = mapped_column(String(4096))  # after redirects
    method: Mapped[str] = mapped_column(String(8), default="GET")
    status: Mapped[int] = mapped_column(Integer)
    request_headers: Mapped[list[list[str]]] = mapped_column(JSONDoc, default=list)
    headers: Mapped[list[list[str]]] = mapped_column(JSONDoc, default=list)  # [name, value] in order
    redirects: Mapped[list[str]] = mapped_column(JSONDoc, default=list)  # hops before final_url
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_type: Mapped[str | None] = mapped_column(String(255))
    declared_charset: Mapped[str | None] = mapped_column(String(64))  # from the Content-Type header
    meta_charset: Mapped[str | None] = mapped_column(String(64))  # from <meta> in the body
    used_charset: Mapped[str | None] = mapped_column(String(64))  # what the cleaners decoded with
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed; NULL for a revisit
    body_size: Mapped[int] = mapped_column(BigInteger, default=0)
    body_sha256: Mapped[str] = mapped_column(String(64), index=True)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    revisit_of: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    kind: Mapped[str] = mapped_column(String(16), default="page")  # article list robots page
    challenge: Mapped[str | None] = mapped_column(String(32))  # anti-bot page kind, e.g. ruishu_412
    clean_state: Mapped[str] = mapped_column(String(16), default="none")  # none pending claimed done failed
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clean_reason: Mapped[str | None] = mapped_column(String(255))
    # "<run id>:<frontier fingerprint>" for a capture made from a shared frontier: a request fetched
    # again after its lease ran out commits nothing new (INSERT ... ON CONFLICT DO NOTHING)
    fetch_key: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index("ix_captures_url", "url"),
        Index("ux_captures_fetch_key", "fetch_key", unique=True),
        Index("ix_captures_clean_state", "clean_state", "id"),
    )


class FetchFailure(Base):
    """A request that produced no capture (DNS, refused, timeout, blocked by policy)."""

    __tablename__ = "fetch_failures"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_key: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(4096))
    reason: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(Base):
    """The clean record the cleaners made of one article capture."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(4096), unique=True)  # canonical URL
    site_key: Mapped[str] = mapped_column(String(64), index=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_date: Mapped[date | None] = mapped_column(Date, index=True)  # day in Asia/Shanghai
    source: Mapped[str | None] = mapped_column(String(255))
    author: Mapped[str | None] = mapped_column(String(255))
    editor: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    body_simplified: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    script: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    flags: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    removed: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)  # what the cleaners cut, by reason
    cleaner_version: Mapped[str] = mapped_column(String(32), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleaned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # dedup (store.dedup): every article belongs to a cluster; the reason says how it joined it
    title_simplified: Mapped[str | None] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    dup_reason: Mapped[str | None] = mapped_column(String(96))  # exact_duplicate_of:<id>, near_duplicate_of:<id>
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    # versions and deletions (store.versions): the row is the newest version; older ones are in
    # article_versions. deleted_at is the first time the page was seen gone (404/410/soft-404).
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_reason: Mapped[str | None] = mapped_column(String(32))
    deleted_capture_id: Mapped[int | None] = mapped_column(BigInteger)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recheck_step: Mapped[int] = mapped_column(Integer, default=0)  # rechecks done by the policy


class ArticleVersion(Base):
    """An earlier version of an article, kept when a recapture showed a changed body."""

    __tablename__ = "article_versions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    capture_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(255))
    flags: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    cleaned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_by_capture_id: Mapped[int] = mapped_column(BigInteger, index=True)

    __table_args__ = (Index("uq_article_versions", "article_id", "version", unique=True),)


class Cluster(Base):
    """One article however many sites printed it: its members and the canonical one."""

    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    canonical_id: Mapped[int | None] = mapped_column(BigInteger)  # articles.id of the canonical member
    size: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LshBand(Base):
    """The LSH band keys of each article's MinHash signature, queried in SQL to find near duplicates."""

    __tablename__ = "lsh_bands"
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # first: the lookup key
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_lsh_bands_article", "article_id"),)


class SearchMeta(Base):
    """Facts about the search index, such as the tokenizer version it was built with."""

    __tablename__ = "search_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
