"""The JSON twins of the pages, under /api/ (OpenAPI at /api/openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from web import views
from web.deps import get_session, search_state
from web.permalink import resolve_web_path
from web.state import SearchState

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["archive"])
Db = Annotated[Session, Depends(get_session)]
Opt = Annotated[str | None, Query()]


def _found(value: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if value is None:
        raise HTTPException(404, f"no such {what}")
    return value


@router.get("/search")
def api_search(request: Request, session: Db, st: Annotated[SearchState, Depends(search_state)],
               q: Opt = None, site: Annotated[list[str] | None, Query()] = None, month: Opt = None,
               source: Opt = None, lang: Opt = None, script: Opt = None,
               flag: Annotated[list[str] | None, Query()] = None, since: Opt = None, until: Opt = None,
               sort: Opt = None, all: Opt = None, page: Opt = None, per_page: Opt = None,
               facets: Opt = None) -> dict[str, Any]:
    """Search results, total, facets and per-month counts; the parameters of the search page's URL.

    q: words, all required ("quoted phrase" is one term). site, flag: repeatable. month: YYYY-MM.
    since/until: YYYY-MM-DD (Asia/Shanghai, inclusive). sort: relevance|date. all=1: every reprint.
    facets=0 leaves the facet counts out. capped: more than `window` articles matched, and total,
    facets and pages cover the newest `window` of them.
    """
    return views.search_view(session, st, facets=facets not in ("0", "false", "no"))


@router.get("/a/{article_id}")
def api_article(session: Db, article_id: int) -> dict[str, Any]:
    """An article: clean text, metadata, flags, what the cleaners cut, and its capture's provenance."""
    return _found(views.article_view(session, article_id), "article")


@router.get("/a/{article_id}/versions")
def api_versions(session: Db, article_id: int, a: int | None = None, b: int | None = None) -> dict[str, Any]:
    """Every version oldest first, its deletion, and the diff of versions a and b (default: the last two)."""
    return _found(views.versions_view(session, article_id, a=a, b=b), "article")


@router.get("/a/{article_id}/reprints")
def api_reprints(session: Db, article_id: int) -> dict[str, Any]:
    """Every member of the article's reprint cluster, the canonical one marked."""
    return _found(views.reprints_view(session, article_id), "article")


@router.get("/capture/{capture_id}")
def api_capture(session: Db, capture_id: int) -> dict[str, Any]:
    """A raw capture's record (the bytes are at /capture/{id}/raw)."""
    return _found(views.capture_view(session, capture_id), "capture")


@router.get("/web/{rest:path}")
def api_web(request: Request, session: Db, rest: str) -> dict[str, Any]:
    """/api/web/<timestamp>/<url>: the capture of url nearest the (partial or empty) timestamp."""
    ts, url, capture_id = resolve_web_path(session, rest, request.url.query)
    if capture_id is None:
        raise HTTPException(404, f"no capture of {url}")
    return {"timestamp": ts, "url": url, "capture_id": capture_id, **_found(views.capture_view(session, capture_id),
                                                                            "capture")}


@router.get("/sites")
def api_sites(session: Db) -> dict[str, Any]:
    """Per site: articles, the last run, its health warnings and the challenge pages met."""
    return views.sites_view(session)


@router.get("/runs")
def api_runs(session: Db, site: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict[str, Any]:
    """The crawl-run history, newest first."""
    return views.runs_view(session, site=site, limit=limit)
