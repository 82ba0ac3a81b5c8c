"""The records of a research export: which articles, one per reprint cluster, and what each carries.

Selection happens in SQL (filters, damage flags, one member per cluster) and rows are streamed with
``yield_per`` (a server-side cursor on PostgreSQL), so memory stays flat whatever the archive's size.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, Text, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from cleaners.dates import CST
from store.errors import StoreError
from store.models import Article, Capture, Cluster

__all__ = [
    "COPIES",
    "DAMAGE_FLAGS",
    "FIELDS",
    "ExportError",
    "ExportFilters",
    "FieldSpec",
    "article_key",
    "chosen_articles",
    "count_excluded",
    "count_records",
    "iter_records",
    "records_for_ids",
    "warc_record_id",
]

COPIES = ("canonical", "all")
# flags that say the body is not a faithful, readable copy of what the site published; left out by
# default. spam_injected is among them: the page was tampered with (a hacked CMS serving gambling or
# SEO text), and although the cleaner cut what it recognised, residue may remain and the page's
# integrity as a government publication is in doubt. mojibake_repaired, mojibake_suspect (published
# that way), repeated_body (the second copy was cut cleanly) and charset_mismatch are kept.
DAMAGE_FLAGS = ("binary_body", "empty_body", "mojibake", "spam_injected", "truncated_input", "undecodable",
                "unparseable")
_BATCH = 1000
_WARC_NS = uuid.uuid5(uuid.NAMESPACE_URL, "govnews:warc-record")


class ExportError(StoreError):
    """An export cannot be made as asked (bad filters, unwritable path)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str  # string | int64 | bool | date | timestamp | list<string>
    description: str
    nullable: bool = True


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("article_id", "string", "Stable id: sha1 (hex) of the canonical URL; the same in every export "
              "and after a re-import.", False),
    FieldSpec("row_id", "int64", "articles.id in the archive database this export came from.", False),
    FieldSpec("cluster_id", "int64", "The reprint cluster (clusters.id); every copy of one article shares it."),
    FieldSpec("canonical_article_id", "string", "article_id of the cluster's canonical member (earliest "
              "published, then earliest captured).", False),
    FieldSpec("is_canonical", "bool", "Whether this record is its cluster's canonical member.", False),
    FieldSpec("copies", "int64", "Members of the cluster in the whole archive (1 = never reprinted).", False),
    FieldSpec("site", "string", "Key of the site profile the article was crawled from.", False),
    FieldSpec("url", "string", "Canonical URL of the article.", False),
    FieldSpec("title", "string", "Headline as published."),
    FieldSpec("published", "timestamp", "Publication time in +08:00 (Asia/Shanghai); null when the page "
              "gives only a day."),
    FieldSpec("date", "date", "Publication day in Asia/Shanghai (the --since/--until filter field)."),
    FieldSpec("source", "string", "来源: the originating outlet the page names."),
    FieldSpec("author", "string", "作者 or the signing office."),
    FieldSpec("editor", "string", "责任编辑."),
    FieldSpec("language", "string", "Language code (langdetect, seeded, guarded by a Han-script count)."),
    FieldSpec("script", "string", "simplified | traditional | mixed (OpenCC)."),
    FieldSpec("flags", "list<string>", "What the cleaners noticed, e.g. mojibake_repaired, repeated_body.", False),
    FieldSpec("body", "string", "Main text as published, one paragraph a line.", False),
    FieldSpec("dup_reason", "string", "How the article joined its cluster: exact_duplicate_of:<row_id>, "
              "near_duplicate_of:<row_id>, or null for the cluster's first member."),
    FieldSpec("cleaner_version", "string", "Version of the cleaners that made this record.", False),
    FieldSpec("capture_id", "int64", "captures.id of the raw HTTP response the record was cleaned from.", False),
    FieldSpec("fetched_at", "timestamp", "When that response was fetched (UTC).", False),
    FieldSpec("capture_sha256", "string", "sha256 (hex) of the raw response body as received.", False),
    FieldSpec("warc_record_id", "string", "WARC-Record-ID of that capture's record in a govnews WARC export "
              "(name-based, so every WARC export of the archive uses the same id)."),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFilters:
    """What to export. Days are in Asia/Shanghai and both ends are inclusive."""

    sites: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    lang: str | None = None
    script: str | None = None
    copies: str | None = None  # canonical | all; None: the format's default (store.export)
    include_flagged: bool = False

    def __post_init__(self) -> None:
        if self.copies is not None and self.copies not in COPIES:
            raise ExportError(f"copies must be 'canonical' or 'all', not {self.copies!r}")
        if self.since and self.until and self.since > self.until:
            raise ExportError(f"--since {self.since} is after --until {self.until}")

    def public(self) -> dict[str, Any]:
        return {"sites": list(self.sites), "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "lang": self.lang,
                "script": self.script, "copies": self.copies or "canonical", "include_flagged": self.include_flagged,
                "excluded_flags": [] if self.include_flagged else list(DAMAGE_FLAGS)}


def article_key(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def warc_record_id(capture_id: int, body_sha256: str, final_url: str, fetched_at: datetime, kind: str) -> str:
    """The WARC-Record-ID of one capture's record: a uuid5 of what identifies the capture."""
    name = f"{kind}/{capture_id}/{body_sha256}/{final_url}/{fetched_at.astimezone(UTC).isoformat()}"
    return f"<urn:uuid:{uuid.uuid5(_WARC_NS, name)}>"


def _damaged() -> Any:
    # flags is a JSON array of snake_case names; its text form holds '"name"' on both backends, so one
    # portable LIKE replaces a json_each / jsonb ?| pair (the closing quote keeps mojibake from
    # matching mojibake_repaired)
    text = cast(Article.flags, Text)
    return or_(*(text.like(f'%"{name}"%') for name in DAMAGE_FLAGS))


def _conditions(filters: ExportFilters) -> list[Any]:
    conds: list[Any] = []
    if filters.sites:
        conds.append(Article.site_key.in_(list(filters.sites)))
    if filters.since:
        conds.append(Article.published_date >= filters.since)
    if filters.until:
        conds.append(Article.published_date <= filters.until)
    if filters.lang:
        conds.append(Article.language == filters.lang)
    if filters.script:
        conds.append(Article.script == filters.script)
    if not filters.include_flagged:
        conds.append(~_damaged())
    return conds


def chosen_articles(filters: ExportFilters) -> Select[Any]:
    """SELECT of the ids of the articles to export.

    With copies='canonical' one per cluster among the matching articles: the canonical member when it
    matches, else the earliest published matching member (the canonical rule applied to what is left).
    """
    conds = _conditions(filters)
    if filters.copies == "all":
        return select(Article.id).where(*conds)
    not_canonical = case((Article.id == Cluster.canonical_id, 0), else_=1)
    rank = func.row_number().over(
        partition_by=func.coalesce(Article.cluster_id, -Article.id),
        order_by=(not_canonical, Article.published_at.asc().nulls_last(), Article.first_seen_at.asc(), Article.id),
    )
    ranked = (select(Article.id.label("id"), rank.label("rn"))
              .outerjoin(Cluster, Cluster.id == Article.cluster_id).where(*conds).subquery())
    return select(ranked.c.id).where(ranked.c.rn == 1)


def count_records(session: Session, filters: ExportFilters) -> int:
    return int(session.scalar(select(func.count()).select_from(chosen_articles(filters).subquery())) or 0)


def count_excluded(session: Session, filters: ExportFilters) -> int:
    """Matching articles left out because they carry a damage flag (before one-per-cluster)."""
    if filters.include_flagged:
        return 0
    conds = _conditions(replace(filters, include_flagged=True))
    return int(session.scalar(select(func.count()).select_from(Article).where(*conds, _damaged())) or 0)


def _record_select() -> Any:
    canon = aliased(Article)
    return (
        select(Article.id, Article.url, Article.site_key, Article.cluster_id, Article.title, Article.published_at,
               Article.published_date, Article.source, Article.author, Article.editor, Article.language,
               Article.script, Article.flags, Article.body, Article.dup_reason, Article.cleaner_version,
               Article.capture_id, Cluster.canonical_id, Cluster.size, canon.url.label("canonical_url"),
               Capture.fetched_at, Capture.body_sha256, Capture.final_url, Capture.revisit_of)
        .join(Capture, Capture.id == Article.capture_id)
        .outerjoin(Cluster, Cluster.id == Article.cluster_id)
        .outerjoin(canon, canon.id == Cluster.canonical_id)
    )


def _record(row: Any) -> dict[str, Any]:
    key = article_key(row.url)
    return {
        "article_id": key,
        "row_id": row.id,
        "cluster_id": row.cluster_id,
        "canonical_article_id": article_key(row.canonical_url) if row.canonical_url else key,
        "is_canonical": row.canonical_id is None or row.canonical_id == row.id,
        "copies": int(row.size or 1),
        "site": row.site_key,
        "url": row.url,
        "title": row.title,
        "published": row.published_at.astimezone(CST) if row.published_at else None,
        "date": row.published_date,
        "source": row.source,
        "author": row.author,
        "editor": row.editor,
        "language": row.language,
        "script": row.script,
        "flags": list(row.flags or []),
        "body": row.body,
        "dup_reason": row.dup_reason,
        "cleaner_version": row.cleaner_version,
        "capture_id": row.capture_id,
        "fetched_at": row.fetched_at,
        "capture_sha256": row.body_sha256,
        "warc_record_id": warc_record_id(row.capture_id, row.body_sha256, row.final_url, row.fetched_at,
                                         "revisit" if row.revisit_of is not None else "response"),
    }


def iter_records(session: Session, filters: ExportFilters) -> Iterator[dict[str, Any]]:
    """The export's records in row-id order, as dicts keyed by FIELDS (native date and time types)."""
    stmt = _record_select().order_by(Article.id)
    if filters.copies == "all":
        stmt = stmt.where(*_conditions(filters))
    else:
        stmt = stmt.where(Article.id.in_(chosen_articles(filters)))
    for row in session.execute(stmt.execution_options(yield_per=_BATCH)):
        yield _record(row)


def records_for_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The export records of these articles, in the order given (a search's results, say)."""
    by_id = {row.id: _record(row) for row in session.execute(_record_select().where(Article.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
