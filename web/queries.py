"""What the search page needs beyond store.search: facet counts, the total, and two more filters.

Everything here builds on store.search's own matching (its index query and relevance expression),
so the facets count exactly the results the list shows, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, Text, and_, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from store.models import Article, Cluster
from store.search import SearchResult, _match_ids, _score, make_snippet, search
from store.textsearch import Term, parse_query
from web.state import SearchState

__all__ = ["FACETS", "count_and_facets", "result_ids", "run_search"]

FACETS = ("site", "month", "source", "lang", "script", "flag")
_TOP = {"site": 50, "source": 30, "lang": 20, "script": 10, "flag": 30}  # months: all, for the histogram


def _conditions(session: Session, st: SearchState, terms: Sequence[Term]) -> list[Any]:
    conds: list[Any] = [Article.id.in_(_match_ids(session, terms))]
    since, until = st.date_range()
    if st.sites:
        conds.append(Article.site_key.in_(list(st.sites)))
    if since:
        conds.append(Article.published_date >= since)
    if until:
        conds.append(Article.published_date <= until)
    if st.source:
        conds.append(Article.source == st.source)
    if st.lang:
        conds.append(Article.language == st.lang)
    if st.script:
        conds.append(Article.script == st.script)
    flags_text = cast(Article.flags, Text)
    conds += [flags_text.like(f'%"{f}"%') for f in st.flags]  # the portable test store.corpus uses
    return conds


def _ranked(session: Session, st: SearchState, terms: Sequence[Term]) -> Any:
    """The matches with store.search's score and the per-cluster rank it picks a result by."""
    score = _score(terms) if st.sort == "relevance" else literal(0.0)
    hits = (select(Article.id, Article.cluster_id, Article.published_at, score.label("score"))
            .where(and_(*_conditions(session, st, terms))).cte("hits").prefix_with("MATERIALIZED"))
    group = func.coalesce(hits.c.cluster_id, -hits.c.id)
    is_canonical = case((hits.c.id == Cluster.canonical_id, 1), else_=0)
    newest = (hits.c.published_at.desc().nulls_last(), hits.c.id.desc())
    rn = func.row_number().over(partition_by=group, order_by=(is_canonical.desc(), hits.c.score.desc(), *newest))
    return (select(hits.c.id, hits.c.score, hits.c.published_at, rn.label("rn"))
            .outerjoin(Cluster, Cluster.id == hits.c.cluster_id).subquery())


def _extended_search(session: Session, st: SearchState, terms: Sequence[Term]) -> list[SearchResult]:
    # store.search has no script or flag filter; this is its query with those two conditions added
    ranked = _ranked(session, st, terms)
    page = select(ranked.c.id, ranked.c.score)
    if not st.all_copies:
        page = page.where(ranked.c.rn == 1)
    order = [ranked.c.score.desc()] if st.sort == "relevance" else []
    page = (page.order_by(*order, ranked.c.published_at.desc().nulls_last(), ranked.c.id.desc())
            .limit(st.per_page).offset((st.page - 1) * st.per_page).subquery())
    rows = (select(Article, page.c.score, Cluster.size).join(page, page.c.id == Article.id)
            .outerjoin(Cluster, Cluster.id == Article.cluster_id)
            .order_by(page.c.score.desc(), Article.published_at.desc().nulls_last(), Article.id.desc()))
    out = []
    for art, sc, size in session.execute(rows):
        snippet, spans = make_snippet(art.body, [t.text for t in terms])
        out.append(SearchResult(
            article_id=art.id, cluster_id=art.cluster_id, title=art.title, url=art.url, site=art.site_key,
            published=art.published_at, date=art.published_date, source=art.source, language=art.language,
            snippet=snippet, highlights=spans, reprints=int(size or 1), score=float(sc or 0.0)))
    return out


def run_search(session: Session, st: SearchState) -> list[SearchResult]:
    """One page of results of *st*: store.search itself unless a script or flag filter is chosen."""
    terms = parse_query(st.q)
    if not terms:
        return []
    since, until = st.date_range()
    if since and until and since > until:
        return []
    if st.script or st.flags:
        return _extended_search(session, st, terms)
    return search(session, st.q, site=list(st.sites), since=since, until=until, source=st.source, lang=st.lang,
                  all_copies=st.all_copies, sort=st.sort, limit=st.per_page, offset=(st.page - 1) * st.per_page)


def _flag_values(session: Session, res: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        each = func.json_each(res.c.flags).table_valued("value")
    else:
        each = func.jsonb_array_elements_text(res.c.flags).table_valued("value")
    return select(literal("flag"), cast(each.c.value, String), func.count()).select_from(res).join(
        each, literal(True)).group_by(each.c.value)


def count_and_facets(session: Session, st: SearchState, *, facets: bool = True) -> tuple[int, dict[str, list]]:
    """The number of results of *st* (all pages) and, per facet, [value, count] pairs, most first.

    Counts are over the results as listed: one per cluster unless all copies. Months come in date
    order (the histogram), with None for articles without a publication day.
    """
    terms = parse_query(st.q)
    empty: dict[str, list] = {f: [] for f in FACETS}
    since, until = st.date_range()
    if not terms or (since and until and since > until):
        return 0, empty
    if not facets:  # one result per cluster with a match: no ranking needed to count them
        conds = and_(*_conditions(session, st, terms))
        group = func.coalesce(Article.cluster_id, -Article.id)
        counted = func.count() if st.all_copies else func.count(func.distinct(group))
        return int(session.scalar(select(counted).where(conds)) or 0), empty
    ranked = _ranked(session, st, terms)
    chosen = select(ranked.c.id)
    if not st.all_copies:
        chosen = chosen.where(ranked.c.rn == 1)
    res = (select(Article.site_key, Article.published_date, Article.source, Article.language, Article.script,
                  Article.flags).where(Article.id.in_(chosen)).cte("res").prefix_with("MATERIALIZED"))
    month = func.substr(cast(res.c.published_date, String), 1, 7)

    def dim(name: str, col: Any) -> Any:
        return select(literal(name), cast(col, String), func.count()).select_from(res).group_by(col)

    total = select(literal("total"), cast(literal(None), String), func.count()).select_from(res)
    parts = [total, dim("site", res.c.site_key), dim("month", month), dim("source", res.c.source),
             dim("lang", res.c.language), dim("script", res.c.script), _flag_values(session, res)]
    out: dict[str, list] = {f: [] for f in FACETS}
    n = 0
    for name, value, count in session.execute(union_all(*parts)):
        if name == "total":
            n = int(count)
        else:
            out[name].append([value, int(count)])
    for name, pairs in out.items():
        if name == "month":
            pairs.sort(key=lambda p: (p[0] is None, p[0] or ""))
        else:
            pairs.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
            del pairs[_TOP[name]:]
    return n, out


def result_ids(session: Session, st: SearchState, *, batch: int = 1000) -> Any:
    """Every result id of *st* (all pages) in the list's order, streamed: what a download holds."""
    terms = parse_query(st.q)
    since, until = st.date_range()
    if not terms or (since and until and since > until):
        return
    ranked = _ranked(session, st, terms)
    q = select(ranked.c.id)
    if not st.all_copies:
        q = q.where(ranked.c.rn == 1)
    order = [ranked.c.score.desc()] if st.sort == "relevance" else []
    q = q.order_by(*order, ranked.c.published_at.desc().nulls_last(), ranked.c.id.desc())
    for (art_id,) in session.execute(q.execution_options(yield_per=batch)):
        yield art_id
