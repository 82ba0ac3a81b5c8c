"""Full-text search of the archive, one result per reprint cluster, the same on SQLite and PostgreSQL.

Matching is a phrase query on the index of single Han characters (store.searchindex). A search
reads the newest RELEVANCE_WINDOW matches after its filters, once; relevance, reprint collapsing,
paging and the facet counts (store.facets) are then worked out in Python over those rows, so both
backends return the same results, totals and facets in the same order for the same data, and a
word found in every article costs about what one found in 5,000 does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String, Text, cast, func, literal, select
from sqlalchemy.orm import Session

from cleaners.dates import CST
from store.facets import FACETS, count_facets, histogram
from store.models import Article, Cluster
from store.searchindex import (
    among,
    candidates,
    ensure_index_current,
    fetch_rows,
    index_article,
    matching,
    planned,
    rebuild_index,
    unindex_article,
)
from store.textsearch import Term, fold, parse_query

__all__ = [
    "FACETS",
    "RELEVANCE_WINDOW",
    "Filters",
    "SearchPage",
    "SearchResult",
    "count_matches",
    "ensure_index_current",
    "index_article",
    "rebuild_index",
    "result_ids",
    "search",
    "search_page",
    "unindex_article",
]


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


RELEVANCE_WINDOW = 5000  # matches ranked and counted per search, newest first, after the filters
_PROBE = 2 * RELEVANCE_WINDOW  # this many index candidates make a query broad (store.searchindex.candidates)
_LEAD_CHARS = 400  # relevance reads the title and this much of the body: cheap, and where the news is


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """What a search is narrowed to besides its words. Days are in Asia/Shanghai, both ends inclusive."""

    sites: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    source: str | None = None
    lang: str | None = None
    script: str | None = None
    flags: tuple[str, ...] = ()  # every one of them


@dataclass(slots=True, kw_only=True)
class SearchPage:
    """One page of results, how many there are on all pages, and the facet counts over all of them."""

    results: list[SearchResult]
    total: int
    capped: bool  # more than `window` articles matched: total and facets count the newest `window`
    window: int = RELEVANCE_WINDOW
    facets: dict[str, list[list[Any]]] | None = None  # facet -> [value, results], most first; months in order
    histogram: list[list[Any]] | None = None  # [YYYY-MM, results] from the first to the last month, gaps as 0


@dataclass(slots=True)
class _Hit:
    """A match in the window, with what ranking, reprint collapsing and facets need."""

    id: int
    newness: int  # higher is newer: published newest first, undated last, then the highest id
    score: float
    cluster: int | None
    canonical: bool
    site: str
    month: str | None  # YYYY-MM of the publication day
    source: str | None
    language: str | None
    script: str | None
    flags: list[str]


def _conditions(terms_match: Any, f: Filters) -> list[Any]:
    conds = [terms_match]
    if f.sites:
        conds.append(Article.site_key.in_(list(f.sites)))
    if f.since:
        conds.append(Article.published_date >= f.since)
    if f.until:
        conds.append(Article.published_date <= f.until)
    if f.source:
        conds.append(Article.source == f.source)
    if f.lang:
        conds.append(Article.language == f.lang)
    if f.script:
        conds.append(Article.script == f.script)
    # the JSON list as text holds '"flag"': the portable test store.corpus uses too
    conds += [cast(Article.flags, Text).contains(f'"{flag}"', autoescape=True) for flag in f.flags]
    return conds


def _score(title: str | None, lead: str | None, terms: Sequence[Term]) -> float:
    """Relevance: how often the terms occur in the title (weight 10) and in the lead.

    Counted here rather than in SQL: the same on both backends (SQLite's lower() folds only ASCII),
    and PostgreSQL's lower() and replace() over 5,000 leads cost more than reading them.
    """
    title, lead = (title or "").lower(), (lead or "").lower()
    return float(sum(10 * title.count(t.text) + lead.count(t.text) for t in terms if t.text))


def _window(session: Session, terms: Sequence[Term], f: Filters, sort: str) -> tuple[list[_Hit], bool]:
    """The newest RELEVANCE_WINDOW matches (after the filters), scored, and whether more matched.

    Only these rows are read, so a word in every article costs about what a word in 5,000 does.
    Dated articles come first (their index serves that order on both backends), the undated after.
    """
    found = candidates(session, terms, _PROBE)
    conds = _conditions(matching(session, terms, found), f)
    limit = RELEVANCE_WINDOW + 1
    with planned(session, broad=found is None):
        ids = [i for (i,) in fetch_rows(session, select(Article.id).where(*conds, Article.published_at.is_not(None))
                                        .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))]
        if len(ids) < limit:
            ids += [i for (i,) in fetch_rows(session, select(Article.id).where(*conds, Article.published_at.is_(None))
                                             .order_by(Article.id.desc()).limit(limit - len(ids)))]
    if not ids:
        return [], False
    text_cols: list[Any] = [literal(None), literal(None)]
    if sort == "relevance":  # a news article says what it is about in its title and lead
        text_cols = [Article.title_simplified, func.substr(func.coalesce(Article.body_simplified, ""), 1, _LEAD_CHARS)]
    rows = fetch_rows(session, select(
        Article.id, Article.published_at, Article.cluster_id, Cluster.canonical_id == Article.id, Article.site_key,
        func.substr(cast(Article.published_date, String), 1, 7), Article.source, Article.language, Article.script,
        cast(Article.flags, Text), *text_cols,
    ).outerjoin(Cluster, Cluster.id == Article.cluster_id).where(among(session, ids)))
    # the window's own order, newest first: published (undated last), then the highest id
    rows.sort(key=lambda r: (r[1] is not None, r[1] or "", r[0]), reverse=True)
    capped = len(rows) > RELEVANCE_WINDOW
    hits = [_Hit(i, -rank, _score(title, lead, terms) if sort == "relevance" else 0.0, c, bool(k), site, month,
                 source, lang, script, json.loads(flags) if flags and flags != "[]" else [])
            for rank, (i, _, c, k, site, month, source, lang, script, flags, title, lead)
            in enumerate(rows[:RELEVANCE_WINDOW])]
    return hits, capped


def _listed(hits: list[_Hit], *, all_copies: bool, sort: str) -> list[_Hit]:
    """The results in their order: one per reprint cluster (canonical member first, then the best
    scoring, then the newest) unless *all_copies*; by score, then newest, or newest only."""
    if not all_copies:
        best: dict[int, _Hit] = {}
        for h in hits:
            group = h.cluster if h.cluster is not None else -h.id
            held = best.get(group)
            if held is None or (h.canonical, h.score, h.newness) > (held.canonical, held.score, held.newness):
                best[group] = h
        hits = list(best.values())
    if sort == "relevance":
        return sorted(hits, key=lambda h: (h.score, h.newness), reverse=True)
    return sorted(hits, key=lambda h: h.newness, reverse=True)


def _results(session: Session, hits: Sequence[_Hit], terms: Sequence[Term]) -> list[SearchResult]:
    rows = session.execute(select(Article, Cluster.size).outerjoin(Cluster, Cluster.id == Article.cluster_id)
                           .where(Article.id.in_([h.id for h in hits])))
    found = {art.id: (art, size) for art, size in rows}
    out = []
    for h in hits:
        art, size = found[h.id]
        snippet, spans = make_snippet(art.body, [t.text for t in terms])
        out.append(SearchResult(
            article_id=art.id, cluster_id=art.cluster_id, title=art.title, url=art.url, site=art.site_key,
            published=art.published_at, date=art.published_date, source=art.source, language=art.language,
            snippet=snippet, highlights=spans, reprints=int(size or 1), score=h.score,
        ))
    return out


def _ranked(session: Session, query: str, filters: Filters, *, all_copies: bool,
            sort: str) -> tuple[list[Term], list[_Hit], bool]:
    if sort not in ("relevance", "date"):
        raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
    terms = parse_query(query)
    if not terms or (filters.since and filters.until and filters.since > filters.until):
        return terms, [], False
    hits, capped = _window(session, terms, filters, sort)
    return terms, _listed(hits, all_copies=all_copies, sort=sort), capped


def search_page(
    session: Session,
    query: str,
    filters: Filters = Filters(),
    *,
    all_copies: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    facets: bool = False,
) -> SearchPage:
    """A page of the results of *query* (see search), their number, and with *facets* their counts.

    Total and facets count the results as listed (one per reprint cluster unless *all_copies*), so
    the site facet adds up to the total. When more than RELEVANCE_WINDOW articles match, the newest
    RELEVANCE_WINDOW of them are ranked, listed and counted, and the page says it is capped.
    """
    terms, listed, capped = _ranked(session, query, filters, all_copies=all_copies, sort=sort)
    counts = count_facets(listed) if facets else None
    return SearchPage(results=_results(session, listed[offset:offset + limit], terms) if listed else [],
                      total=len(listed), capped=capped, window=RELEVANCE_WINDOW, facets=counts,
                      histogram=histogram(counts["month"]) if counts else None)


def result_ids(session: Session, query: str, filters: Filters = Filters(), *, all_copies: bool = False,
               sort: str = "relevance") -> list[int]:
    """The ids of every result of *query* on all pages, in the order search lists them."""
    return [h.id for h in _ranked(session, query, filters, all_copies=all_copies, sort=sort)[1]]


def count_matches(session: Session, query: str, filters: Filters = Filters()) -> int:
    """How many articles match *query* and *filters*, with no window: a pass over every match (benchmarks)."""
    terms = parse_query(query)
    if not terms:
        return 0
    return int(session.scalar(select(func.count()).select_from(Article).where(
        *_conditions(matching(session, terms, None), filters))) or 0)


def search(
    session: Session,
    query: str,
    *,
    site: Sequence[str] | str | None = None,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    lang: str | None = None,
    script: str | None = None,
    flags: Sequence[str] = (),
    all_copies: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> list[SearchResult]:
    """Articles matching every term of *query*, best first (or newest first with sort='date').

    Dates are days in Asia/Shanghai, both ends inclusive; *flags* must all be set. One result per
    reprint cluster (its canonical member when that matches) unless *all_copies*. Ties go to the
    newest, then the highest id, so the order is total and the same on every backend. Relevance
    ranks the newest RELEVANCE_WINDOW matches (after the filters), so a word that matches
    everything stays fast.
    """
    sites = (site,) if isinstance(site, str) else tuple(site or ())
    filters = Filters(sites=sites, since=since, until=until, source=source, lang=lang, script=script,
                      flags=tuple(flags))
    return search_page(session, query, filters, all_copies=all_copies, sort=sort, limit=limit,
                       offset=offset).results


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
