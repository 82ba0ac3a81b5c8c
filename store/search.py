"""Full-text search of the archive, one result per reprint cluster, the same on SQLite and PostgreSQL.

The index holds one token per Han character (store.textsearch). SQLite keeps it in a contentless
FTS5 table, PostgreSQL in a tsvector column with a GIN index; matching is a phrase query on both,
and relevance is one portable SQL expression, so both backends return the same results in the same
order for the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from cleaners.dates import CST
from store.models import Article, Cluster, SearchMeta
from store.textsearch import BREAK, SEGMENTER_VERSION, Term, fold, parse_query, segment

__all__ = ["SearchResult", "index_article", "rebuild_index", "search", "unindex_article"]

_pg = MetaData()
article_search = Table(  # PostgreSQL only; created by migration 0002
    "article_search", _pg, Column("article_id", BigInteger, primary_key=True), Column("tsv", postgresql.TSVECTOR)
)


@dataclass(slots=True, kw_only=True)
class SearchResult:
    article_id: int
    cluster_id: int | None
    title: str | None
    url: str
    site: str
    published: datetime | None
    date: date | None
    source: str | None
    language: str | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # [start, end) spans in snippet
    reprints: int = 1  # members of the article's cluster
    score: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "cluster_id": self.cluster_id,
            "title": self.title,
            "url": self.url,
            "site": self.site,
            "published": self.published.astimezone(CST).isoformat() if self.published else None,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "language": self.language,
            "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights],
            "reprints": self.reprints,
            "score": round(self.score, 6),
        }


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# index maintenance -----------------------------------------------------------------------------


def _segments(title_simplified: str | None, body_simplified: str) -> tuple[str, str]:
    return segment(title_simplified or "", simplified=True), segment(body_simplified, simplified=True)


def index_article(session: Session, article_id: int, title_simplified: str | None, body_simplified: str) -> None:
    """Add one article to the index, from its Simplified title and body (unindex_article it first
    when it was indexed before)."""
    t, b = _segments(title_simplified, body_simplified)
    if _dialect(session) == "sqlite":
        session.execute(text("INSERT INTO article_fts(rowid, title, body) VALUES (:id, :t, :b)"),
                        {"id": article_id, "t": t, "b": b})
    else:
        # one vector; the break token keeps a phrase from running from the title into the body
        tsv = func.to_tsvector("simple", f"{t} {BREAK} {b}")
        stmt = postgresql.insert(article_search).values(article_id=article_id, tsv=tsv)
        session.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_={"tsv": stmt.excluded.tsv}))


def unindex_article(session: Session, article_id: int, title_simplified: str | None, body_simplified: str) -> None:
    """Remove one article from the index, given the Simplified text it was indexed with."""
    if _dialect(session) == "sqlite":
        # a contentless FTS5 table forgets a row only when told the exact tokens it was given
        t, b = _segments(title_simplified, body_simplified)
        session.execute(text("INSERT INTO article_fts(article_fts, rowid, title, body) VALUES ('delete', :id, :t, :b)"),
                        {"id": article_id, "t": t, "b": b})
    else:
        session.execute(delete(article_search).where(article_search.c.article_id == article_id))


def rebuild_index(session: Session) -> int:
    """Index every article afresh (after a tokenizer change); returns the number indexed."""
    if _dialect(session) == "sqlite":
        session.execute(text("INSERT INTO article_fts(article_fts) VALUES ('delete-all')"))
    else:
        session.execute(delete(article_search))
    n = 0
    rows = select(Article.id, Article.title_simplified, Article.body_simplified)
    for art_id, title, body in session.execute(rows).yield_per(500):
        index_article(session, art_id, title, body)
        n += 1
    session.merge(SearchMeta(key="segmenter_version", value=SEGMENTER_VERSION))
    session.commit()
    return n


def ensure_index_current(session: Session) -> None:
    row = session.get(SearchMeta, "segmenter_version")
    if row is None:
        # an archive from before the index existed (schema 0001) has articles but an empty index
        if session.scalar(select(Article.id).limit(1)) is not None:
            rebuild_index(session)
            return
        session.merge(SearchMeta(key="segmenter_version", value=SEGMENTER_VERSION))
        session.commit()
    elif row.value != SEGMENTER_VERSION:
        rebuild_index(session)


# querying -------------------------------------------------------------------------------------


def _match_ids(session: Session, terms: Sequence[Term]) -> Any:
    if _dialect(session) == "sqlite":
        expr = " AND ".join('"' + " ".join(t.tokens) + '"' for t in terms)
        return select(literal_column("rowid")).select_from(text("article_fts")).where(
            text("article_fts MATCH :fts_q").bindparams(fts_q=expr)
        )
    q = " & ".join("(" + " <-> ".join(f"'{tok}'" for tok in t.tokens) + ")" for t in terms)
    return select(article_search.c.article_id).where(
        article_search.c.tsv.op("@@")(func.to_tsquery("simple", q))
    )


def _occurrences(column: Any, needle: str) -> Any:
    hay = func.lower(column)
    return cast(func.length(hay) - func.length(func.replace(hay, needle, "")), Float) / len(needle)


RELEVANCE_WINDOW = 5000  # matches considered per query, newest first
_LEAD_CHARS = 400  # relevance reads the title and the lead: cheap, and where a news article says what it is about


def _score(terms: Sequence[Term]) -> Any:
    """Relevance: occurrences in the title (weight 10) and in the lead; one portable SQL expression."""
    title = func.coalesce(Article.title_simplified, "")
    lead = func.substr(func.coalesce(Article.body_simplified, ""), 1, _LEAD_CHARS)
    total: Any = literal(0.0)
    for t in terms:
        total = total + 10 * _occurrences(title, t.text) + _occurrences(lead, t.text)
    return total


def search(
    session: Session,
    query: str,
    *,
    site: Sequence[str] | str | None = None,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    lang: str | None = None,
    all_copies: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> list[SearchResult]:
    """Articles matching every term of *query*, best first (or newest first with sort='date').

    Dates are days in Asia/Shanghai, both ends inclusive. One result per reprint cluster (its
    canonical member when that matches) unless *all_copies*. Ties go to the newest, then the
    highest id, so the order is total and the same on every backend. Relevance ranks the newest
    RELEVANCE_WINDOW matches (after the filters), so a word that matches everything stays fast.
    """
    if sort not in ("relevance", "date"):
        raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
    terms = parse_query(query)
    if not terms:
        return []
    conds = [Article.id.in_(_match_ids(session, terms))]
    sites = [site] if isinstance(site, str) else list(site or [])
    if sites:
        conds.append(Article.site_key.in_(sites))
    if since:
        conds.append(Article.published_date >= since)
    if until:
        conds.append(Article.published_date <= until)
    if source:
        conds.append(Article.source == source)
    if lang:
        conds.append(Article.language == lang)
    # the newest matches are ranked: a one-character word can match every article, and scoring or
    # collapsing all of them would make a broad query cost seconds (bench/search.py)
    window = (
        select(Article.id)
        .where(and_(*conds))
        .order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
        .limit(RELEVANCE_WINDOW)
        .scalar_subquery()
    )
    score = _score(terms) if sort == "relevance" else literal(0.0)
    hits = (
        select(Article.id, Article.cluster_id, Article.published_at, score.label("score"))
        .where(Article.id.in_(window))
        .cte("hits")
        .prefix_with("MATERIALIZED")  # score each hit once, not again in every later clause
    )
    group = func.coalesce(hits.c.cluster_id, -hits.c.id)
    is_canonical = case((hits.c.id == Cluster.canonical_id, 1), else_=0)
    newest = (hits.c.published_at.desc().nulls_last(), hits.c.id.desc())
    ranked = (
        select(
            hits.c.id,
            hits.c.score,
            hits.c.published_at,
            func.row_number().over(partition_by=group, order_by=(is_canonical.desc(), hits.c.score.desc(), *newest))
            .label("rn"),
        )
        .outerjoin(Cluster, Cluster.id == hits.c.cluster_id)
        .subquery()
    )
    page = select(ranked.c.id, ranked.c.score)
    if not all_copies:
        page = page.where(ranked.c.rn == 1)
    order = [ranked.c.score.desc()] if sort == "relevance" else []
    page = page.order_by(*order, ranked.c.published_at.desc().nulls_last(), ranked.c.id.desc())
    page = page.limit(limit).offset(offset).subquery()
    rows_q = (
        select(Article, page.c.score, Cluster.size)
        .join(page, page.c.id == Article.id)
        .outerjoin(Cluster, Cluster.id == Article.cluster_id)
        .order_by(page.c.score.desc(), Article.published_at.desc().nulls_last(), Article.id.desc())
    )
    out = []
    for art, sc, size in session.execute(rows_q):
        snippet, spans = make_snippet(art.body, [t.text for t in terms])
        out.append(SearchResult(
            article_id=art.id, cluster_id=art.cluster_id, title=art.title, url=art.url, site=art.site_key,
            published=art.published_at, date=art.published_date, source=art.source, language=art.language,
            snippet=snippet, highlights=spans, reprints=int(size or 1), score=float(sc or 0.0),
        ))
    return out


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return fold(ch)


def make_snippet(body: str, needles: Sequence[str], *, width: int = 90) -> tuple[str, list[tuple[int, int]]]:
    """A window of *body* around the first hit, with the [start, end) spans of every hit in it.

    Hits are found in the folded text (so 脱贫 marks 脫貧) and mapped back to the body as published.
    """
    folded_parts = []
    index: list[int] = []  # folded position -> body position
    for i, ch in enumerate(body):
        f = _fold_char(ch)
        folded_parts.append(f)
        index.extend([i] * len(f))
    folded = "".join(folded_parts)
    hits: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        start = folded.find(needle)
        while start != -1:
            hits.append((index[start], index[start + len(needle) - 1] + 1))
            start = folded.find(needle, start + len(needle))
    hits.sort()
    first = hits[0][0] if hits else 0
    lo = max(0, first - width // 3)
    hi = min(len(body), lo + width)
    window = body[lo:hi].replace("\n", " ")
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(body) else ""
    shift = len(prefix) - lo
    spans = [(s + shift, e + shift) for s, e in hits if s >= lo and e <= hi]
    return prefix + window + suffix, spans
