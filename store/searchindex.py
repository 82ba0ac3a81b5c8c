"""The full-text index, and the backend-specific ways of asking it: the one dialect-aware part of search.

One token per Han character (store.textsearch.segment of each article's Simplified title and
body). SQLite keeps it in a contentless FTS5 table (article_fts), PostgreSQL in a tsvector with a
GIN index (article_search); migration 0002 creates both. store.search builds its queries on
matching(), and chooses between looking the matches up and walking the newest articles with
candidates() and planned().
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    Table,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from store.models import Article, SearchMeta
from store.textsearch import BREAK, SEGMENTER_VERSION, Term, segment

__all__ = ["among", "article_search", "candidates", "dialect", "ensure_index_current", "fetch_rows", "index_article",
           "matching", "planned", "rebuild_index", "unindex_article"]

_pg = MetaData()
article_search = Table(  # PostgreSQL only; created by migration 0002
    "article_search", _pg, Column("article_id", BigInteger, primary_key=True), Column("tsv", postgresql.TSVECTOR)
)


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _segments(title_simplified: str | None, body_simplified: str) -> tuple[str, str]:
    return segment(title_simplified or "", simplified=True), segment(body_simplified, simplified=True)


def index_article(session: Session, article_id: int, title_simplified: str | None, body_simplified: str) -> None:
    """Add one article to the index, from its Simplified title and body (unindex_article it first
    when it was indexed before)."""
    t, b = _segments(title_simplified, body_simplified)
    if dialect(session) == "sqlite":
        session.execute(text("INSERT INTO article_fts(rowid, title, body) VALUES (:id, :t, :b)"),
                        {"id": article_id, "t": t, "b": b})
    else:
        # one vector; the break token keeps a phrase from running from the title into the body
        tsv = func.to_tsvector("simple", f"{t} {BREAK} {b}")
        stmt = postgresql.insert(article_search).values(article_id=article_id, tsv=tsv)
        session.execute(stmt.on_conflict_do_update(index_elements=["article_id"], set_={"tsv": stmt.excluded.tsv}))


def unindex_article(session: Session, article_id: int, title_simplified: str | None, body_simplified: str) -> None:
    """Remove one article from the index, given the Simplified text it was indexed with."""
    if dialect(session) == "sqlite":
        # a contentless FTS5 table forgets a row only when told the exact tokens it was given
        t, b = _segments(title_simplified, body_simplified)
        session.execute(text("INSERT INTO article_fts(article_fts, rowid, title, body) VALUES ('delete', :id, :t, :b)"),
                        {"id": article_id, "t": t, "b": b})
    else:
        session.execute(delete(article_search).where(article_search.c.article_id == article_id))


def rebuild_index(session: Session) -> int:
    """Index every article afresh (after a tokenizer change); returns the number indexed."""
    if dialect(session) == "sqlite":
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


# querying the index ------------------------------------------------------------------------


def _tsquery(terms: Sequence[Term], *, phrases: bool = True) -> Any:
    # tokens are single Han characters or runs of word characters: nothing to quote inside them
    if phrases:
        q = " & ".join("(" + " <-> ".join(f"'{tok}'" for tok in t.tokens) + ")" for t in terms)
    else:
        q = " & ".join(dict.fromkeys(f"'{tok}'" for t in terms for tok in t.tokens))
    return func.to_tsquery("simple", q)


def _fts_ids(terms: Sequence[Term]) -> Any:
    expr = " AND ".join('"' + " ".join(t.tokens) + '"' for t in terms)
    return select(literal_column("rowid")).select_from(text("article_fts")).where(
        text("article_fts MATCH :fts_q").bindparams(fts_q=expr))


def candidates(session: Session, terms: Sequence[Term], limit: int) -> list[int] | None:
    """The ids the index gives for *terms* when there are fewer than *limit*, else None (a broad query).

    On SQLite these are the matches; on PostgreSQL the articles holding every token, a superset
    read from the GIN index alone (it has no positions), which matching() then tests. Cheap: it
    stops at *limit*.
    """
    if dialect(session) == "sqlite":
        found = _fts_ids(terms)
    else:
        found = select(article_search.c.article_id).where(article_search.c.tsv.op("@@")(_tsquery(terms, phrases=False)))
    with planned(session, broad=False):
        ids = [i for (i,) in fetch_rows(session, found.limit(limit))]
    return ids if len(ids) < limit else None


def matching(session: Session, terms: Sequence[Term], found: list[int] | None) -> Any:
    """The condition 'the article matches every term', given what candidates() *found*.

    Narrow (a list): those articles, looked up by id. Broad (None): the articles are read newest
    first and each is tested, so reading stops at the window. SQLite cannot tell how many rows a
    MATCH gives and would look every match up by id: `+ 0` keeps that out of its plan. PostgreSQL
    reads an article's vector to test a phrase; as a correlated test it reads only those the walk
    reaches.
    """
    if dialect(session) == "sqlite":
        return (Article.id + 0).in_(_fts_ids(terms)) if found is None else among(session, found)
    tsv_match = article_search.c.tsv.op("@@")(_tsquery(terms))
    if found is None:
        return select(tsv_match).where(article_search.c.article_id == Article.id).scalar_subquery()
    return Article.id.in_(select(article_search.c.article_id).where(_any(article_search.c.article_id, found),
                                                                     tsv_match))


@contextmanager
def planned(session: Session, *, broad: bool) -> Iterator[None]:
    """On PostgreSQL, for the statements inside a narrow query: article_search by index, never scanned.

    Its planner prices a tsvector as if it were in the row, but ours are TOASTed: left alone it
    seq-scans article_search for a rare word, reading every vector, where an index has the answer.
    """
    if broad or dialect(session) != "postgresql":
        yield
        return
    old = session.scalar(text("SELECT current_setting('enable_seqscan')"))
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    yield  # after an error the transaction is rolled back, which undoes this transaction-local setting too
    session.execute(text("SELECT set_config('enable_seqscan', :v, true)"), {"v": old})


def among(session: Session, ids: list[int]) -> Any:
    """articles.id is one of *ids*, as one parameter: thousands of placeholders cost more to render."""
    if dialect(session) == "sqlite":
        return Article.id.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(ids))))
    return _any(Article.id, ids)


def fetch_rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """Every row of *stmt* as a tuple, in no promised order.

    On SQLite they come as one JSON array in one row, values as stored: the sqlite3 module releases
    the GIL for every row it steps through, and concurrent searches reading thousands of rows then
    queue for it (two threads reading 5,000 rows did about half the work of one).
    """
    conn = session.connection()
    if dialect(session) != "sqlite":
        return [tuple(r) for r in conn.execute(stmt)]
    sub = stmt.subquery()
    raw = conn.execute(select(func.json_group_array(func.json_array(*sub.c)))).scalar_one()
    return [tuple(r) for r in json.loads(raw)]


def _any(column: Any, ids: list[int]) -> Any:
    return column == func.any(bindparam(None, ids, type_=postgresql.ARRAY(BigInteger)))
