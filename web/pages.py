"""The server-rendered pages; each renders the same dict its /api/ twin returns."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from store.search import FACETS
from web import views
from web.deps import get_session, language, search_state
from web.download import MEDIA_TYPES, stream_results
from web.i18n import COOKIE, LANGS
from web.permalink import resolve_web_path
from web.render import context, environment
from web.security import RAW_CSP
from web.state import SearchState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Db = Annotated[Session, Depends(get_session)]
Lang = Annotated[str, Depends(language)]
_env = environment()


def _switch_links(request: Request) -> dict[str, str]:
    params = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "ui"]
    return {lang: request.url.path + "?" + urlencode([*params, ("ui", lang)]) for lang in LANGS}


def _render(request: Request, lang: str, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _env.get_template(template).render(context(lang, switch=_switch_links(request), path=request.url.path,
                                                      **values))
    resp = HTMLResponse(html, status_code=status)
    if request.query_params.get("ui") in LANGS:
        resp.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="strict", httponly=True)
    return resp


def _missing(request: Request, lang: str, what: str) -> HTMLResponse:
    return _render(request, lang, "error.html", 404, message=what)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, session: Db, lang: Lang,
                st: Annotated[SearchState, Depends(search_state)]) -> HTMLResponse:
    with_facets = request.query_params.get("facets") not in ("0", "false", "no")
    data = views.search_view(session, st, facets=with_facets) if st.q.strip() else None
    sites = views.sites_view(session)["sites"] if data is None else []
    return _render(request, lang, "search.html", st=st, data=data, facet_names=FACETS, sites=sites)


@router.get("/download.{fmt}")
def download(request: Request, fmt: str, st: Annotated[SearchState, Depends(search_state)]) -> Response:
    if fmt not in MEDIA_TYPES:
        return Response("jsonl or csv\n", status_code=404, media_type="text/plain")
    name = "govnews-results." + fmt
    return StreamingResponse(stream_results(request.app.state.sessions, st, fmt), media_type=MEDIA_TYPES[fmt],
                             headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/a/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, session: Db, lang: Lang, article_id: int) -> HTMLResponse:
    art = views.article_view(session, article_id)
    if art is None:
        return _missing(request, lang, f"article {article_id}")
    return _render(request, lang, "article.html", art=art)


@router.get("/a/{article_id}/versions", response_class=HTMLResponse)
def versions_page(request: Request, session: Db, lang: Lang, article_id: int, a: int | None = None,
                  b: int | None = None, v: int | None = None) -> HTMLResponse:
    data = views.versions_view(session, article_id, a=a, b=b)
    if data is None:
        return _missing(request, lang, f"article {article_id}")
    numbers = [x["version"] for x in data["versions"]]
    shown = v if v in numbers else numbers[-1]
    return _render(request, lang, "versions.html", data=data, shown=shown, numbers=numbers,
                   version=next(x for x in data["versions"] if x["version"] == shown))


@router.get("/a/{article_id}/reprints", response_class=HTMLResponse)
def reprints_page(request: Request, session: Db, lang: Lang, article_id: int) -> HTMLResponse:
    data = views.reprints_view(session, article_id)
    if data is None:
        return _missing(request, lang, f"article {article_id}")
    return _render(request, lang, "reprints.html", data=data)


@router.get("/capture/{capture_id}", response_class=HTMLResponse)
def capture_page(request: Request, session: Db, lang: Lang, capture_id: int) -> HTMLResponse:
    cap = views.capture_view(session, capture_id)
    if cap is None:
        return _missing(request, lang, f"capture {capture_id}")
    return _render(request, lang, "capture.html", cap=cap)


@router.get("/capture/{capture_id}/raw")
def capture_raw(session: Db, capture_id: int) -> Response:
    raw = views.capture_raw(session, capture_id)
    if raw is None:
        return Response("no such capture\n", status_code=404, media_type="text/plain")
    body, ctype = raw
    ctype = re.sub(r"[\x00-\x1f\x7f]", "", ctype)[:255] or "application/octet-stream"
    return Response(body, headers={"content-type": ctype, "content-security-policy": RAW_CSP,
                                   "x-frame-options": "SAMEORIGIN",
                                   "content-disposition": f'inline; filename="capture-{capture_id}"',
                                   "cache-control": "private, max-age=3600"})


@router.get("/web/{rest:path}")
def web_permalink(request: Request, session: Db, lang: Lang, rest: str) -> Response:
    query = urlencode([(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "ui"])
    _ts, url, capture_id = resolve_web_path(session, rest, query)
    if capture_id is None:
        return _missing(request, lang, url)
    return RedirectResponse(f"/capture/{capture_id}", status_code=302)


@router.get("/sites", response_class=HTMLResponse)
def sites_page(request: Request, session: Db, lang: Lang) -> HTMLResponse:
    return _render(request, lang, "sites.html", data=views.sites_view(session))


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, session: Db, lang: Lang, site: str | None = None) -> HTMLResponse:
    return _render(request, lang, "runs.html", data=views.runs_view(session, site=site))
