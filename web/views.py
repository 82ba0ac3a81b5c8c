"""The data of every page, as plain JSON-ready dicts: the HTML templates and the /api/ twins share them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cleaners.dates import CST
from store.archive import capture_body
from store.models import Article, Capture, Cluster, Site
from store.runs import run_history
from store.search import search_page
from store.versions import diff_versions, history
from web.state import SearchState

__all__ = ["article_view", "capture_raw", "capture_view", "iso", "nearest_capture", "reprints_view", "runs_view",
           "search_view", "sites_view", "versions_view"]


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(CST).isoformat() if dt else None


def search_view(session: Session, st: SearchState, *, facets: bool = True) -> dict[str, Any]:
    page = search_page(session, st.q, st.filters(), all_copies=st.all_copies, sort=st.sort, limit=st.per_page,
                       offset=(st.page - 1) * st.per_page, facets=facets)
    return {"state": st.public(), "errors": list(st.errors), "total": page.total, "capped": page.capped,
            "window": page.window, "pages": max(1, -(-page.total // st.per_page)),
            "results": [r.public() for r in page.results], "facets": page.facets, "histogram": page.histogram}


def _capture_dict(cap: Capture) -> dict[str, Any]:
    return {"id": cap.id, "url": cap.url, "final_url": cap.final_url, "method": cap.method, "status": cap.status,
            "fetched_at": iso(cap.fetched_at), "kind": cap.kind, "content_type": cap.content_type,
            "headers": cap.headers or [], "request_headers": cap.request_headers or [],
            "redirects": cap.redirects or [], "declared_charset": cap.declared_charset,
            "meta_charset": cap.meta_charset, "used_charset": cap.used_charset, "body_sha256": cap.body_sha256,
            "body_size": cap.body_size, "truncated": cap.truncated, "revisit_of": cap.revisit_of,
            "challenge": cap.challenge, "run_id": cap.run_id, "site": cap.site_key}


def article_view(session: Session, article_id: int) -> dict[str, Any] | None:
    art = session.get(Article, article_id)
    if art is None:
        return None
    cap = session.get(Capture, art.capture_id)
    cluster = session.get(Cluster, art.cluster_id) if art.cluster_id else None
    return {
        "id": art.id, "url": art.url, "site": art.site_key, "title": art.title, "published": iso(art.published_at),
        "date": art.published_date.isoformat() if art.published_date else None, "source": art.source,
        "author": art.author, "editor": art.editor, "language": art.language, "script": art.script,
        "flags": list(art.flags or []), "body": art.body, "removed": dict(art.removed or {}),
        "cleaner_version": art.cleaner_version, "first_seen_at": iso(art.first_seen_at),
        "cleaned_at": iso(art.cleaned_at), "version": art.version, "deleted_at": iso(art.deleted_at),
        "deleted_reason": art.deleted_reason, "dup_reason": art.dup_reason, "cluster_id": art.cluster_id,
        "cluster_size": cluster.size if cluster else 1,
        "is_canonical": cluster is None or cluster.canonical_id == art.id,
        "capture": _capture_dict(cap) if cap else None,
    }


def versions_view(session: Session, article_id: int, *, a: int | None = None,
                  b: int | None = None) -> dict[str, Any] | None:
    """Every version oldest first, and the diff of versions *a* and *b* (default: the last two)."""
    art = session.get(Article, article_id)
    h = history(session, art.url) if art else None
    if h is None:
        return None
    versions = h["versions"]
    numbers = [v["version"] for v in versions]
    b = b if b in numbers else numbers[-1]
    a = a if a in numbers else numbers[max(0, numbers.index(b) - 1)]
    old, new = (next(v for v in versions if v["version"] == n) for n in (a, b))
    lines = diff_versions(old["body"], new["body"], old_label=f"version {a}", new_label=f"version {b}")
    if old["title"] != new["title"]:
        lines = [f"-title: {old['title']}", f"+title: {new['title']}", *lines]
    diff = [{"op": "add" if ln.startswith("+") and not ln.startswith("+++")
             else "del" if ln.startswith("-") and not ln.startswith("---")
             else "hunk" if ln.startswith(("@@", "+++", "---")) else "same", "line": ln} for ln in lines]
    return {"article_id": art.id, "url": art.url, "title": art.title, "deleted_at": iso(h["deleted_at"]),
            "deleted_reason": h["deleted_reason"],
            "versions": [{**{k: v[k] for k in ("version", "capture_id", "title", "body", "content_hash")},
                          "captured_at": iso(v["captured_at"])} for v in versions],
            "a": a, "b": b, "diff": diff}


def reprints_view(session: Session, article_id: int) -> dict[str, Any] | None:
    art = session.get(Article, article_id)
    if art is None:
        return None
    cluster = session.get(Cluster, art.cluster_id) if art.cluster_id else None
    q = select(Article).where(Article.cluster_id == art.cluster_id) if cluster else select(Article).where(
        Article.id == art.id)
    members = session.scalars(q.order_by(Article.published_at.asc().nulls_last(), Article.first_seen_at,
                                         Article.id)).all()
    canonical = cluster.canonical_id if cluster else art.id
    return {"article_id": art.id, "cluster_id": art.cluster_id, "canonical_id": canonical, "size": len(members),
            "members": [{"id": m.id, "site": m.site_key, "url": m.url, "title": m.title,
                         "published": iso(m.published_at), "date": m.published_date.isoformat()
                         if m.published_date else None, "first_seen_at": iso(m.first_seen_at),
                         "dup_reason": m.dup_reason, "canonical": m.id == canonical} for m in members]}


def capture_view(session: Session, capture_id: int) -> dict[str, Any] | None:
    cap = session.get(Capture, capture_id)
    if cap is None:
        return None
    arts = session.execute(select(Article.id, Article.title).where(
        or_(Article.capture_id == cap.id, Article.url == cap.url)).order_by(Article.id)).all()
    return {**_capture_dict(cap), "articles": [{"id": i, "title": t} for i, t in arts]}


def capture_raw(session: Session, capture_id: int) -> tuple[bytes, str] | None:
    cap = session.get(Capture, capture_id)
    if cap is None:
        return None
    return capture_body(session, cap), cap.content_type or "application/octet-stream"


def _timestamp(ts: str) -> datetime | None:
    """A 1-14 digit UTC timestamp (YYYYMMDDhhmmss, as in web archives), missing parts at their lowest."""
    digits = re.sub(r"\D", "", ts)[:14]
    if not digits:
        return None
    full = (digits + "00000101000000"[len(digits):])[:14]
    for fixed in (full, full[:6] + "01" + full[8:]):  # a day beyond the month's last falls back to the 1st
        try:
            return datetime.strptime(fixed, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def nearest_capture(session: Session, url: str, ts: str) -> int | None:
    """The id of the capture of *url* nearest to timestamp *ts*; the newest when *ts* is empty."""
    same = or_(Capture.url == url, Capture.final_url == url)
    at = _timestamp(ts)
    if at is None:
        return session.scalar(select(Capture.id).where(same).order_by(Capture.fetched_at.desc(), Capture.id.desc())
                              .limit(1))
    after = session.execute(select(Capture.id, Capture.fetched_at).where(same, Capture.fetched_at >= at)
                            .order_by(Capture.fetched_at, Capture.id).limit(1)).first()
    before = session.execute(select(Capture.id, Capture.fetched_at).where(same, Capture.fetched_at < at)
                             .order_by(Capture.fetched_at.desc(), Capture.id.desc()).limit(1)).first()
    found = [r for r in (after, before) if r is not None]
    return min(found, key=lambda r: abs(r[1] - at))[0] if found else None


def sites_view(session: Session) -> dict[str, Any]:
    names = dict(session.execute(select(Site.key, Site.name)).all())
    counts = dict(session.execute(select(Article.site_key, func.count()).group_by(Article.site_key)).all())
    challenges: dict[str, dict[str, int]] = {}
    for site, kind, n in session.execute(select(Capture.site_key, Capture.challenge, func.count())
                                         .where(Capture.challenge.is_not(None))
                                         .group_by(Capture.site_key, Capture.challenge)):
        challenges.setdefault(site, {})[kind] = int(n)
    runs = run_history(session, limit=500)
    out = []
    for key in sorted(set(names) | set(counts) | set(challenges)):
        last = next((r for r in runs if key in (r["sites"] or [])), None)
        figures = last["per_site"].get(key, {}) if last else {}
        out.append({"key": key, "name": names.get(key), "articles": int(counts.get(key, 0)),
                    "last_run": {"id": last["id"], "started_at": last["started_at"], "status": last["status"],
                                 "figures": {k: v for k, v in figures.items() if k != "warnings"}} if last else None,
                    "warnings": list(figures.get("warnings", [])), "challenges": challenges.get(key, {})})
    return {"sites": out}


def runs_view(session: Session, *, site: str | None = None, limit: int = 50) -> dict[str, Any]:
    return {"site": site, "runs": run_history(session, site=site, limit=limit)}
