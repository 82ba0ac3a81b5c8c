"""Crawl-run history as archivists read it: one row per run, totals and per-site figures."""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from cleaners.dates import CST
from store.models import Capture, CrawlRun, utcnow

__all__ = [
    "close_dead_runs",
    "health_warnings",
    "list_validators",
    "run_history",
    "start_run_exclusive",
    "walk_modes",
]

TOTAL_KEYS = ("pages", "articles", "new_articles", "new_versions", "deletions", "duplicates", "errors",
              "challenges")


def run_history(session: Session, *, site: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The newest *limit* runs (of *site* when given), newest first, times in +08:00."""
    q = select(CrawlRun).order_by(CrawlRun.id.desc())
    out = []
    for run in session.scalars(q):
        if site and site not in (run.sites or []):
            continue
        per_site = (run.stats or {}).get("sites", {})
        if site:
            per_site = {site: per_site.get(site, {})}
        totals = {k: sum(int(v.get(k, 0)) for v in per_site.values()) for k in TOTAL_KEYS}
        out.append({
            "id": run.id,
            "started_at": run.started_at.astimezone(CST).isoformat(),
            "finished_at": run.finished_at.astimezone(CST).isoformat() if run.finished_at else None,
            "status": run.status,
            "sites": run.sites,
            "totals": totals,
            "per_site": per_site,
            "error": run.error,
            "warnings": [w for v in per_site.values() for w in v.get("warnings", [])],
            "finish_reason": (run.stats or {}).get("finish_reason"),
        })
        if len(out) >= limit:
            break
    return out


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def close_dead_runs(session: Session) -> list[int]:
    """Mark runs of this host whose process is gone as interrupted, and free the captures their
    workers had claimed, so the next run cleans them at once instead of waiting out the lease."""
    dead = _close_dead(session)
    session.commit()
    return dead


def start_run_exclusive(session: Session, site_keys: list[str]) -> tuple[int | None, list[str], dict[str, int]]:
    """Start a run for the sites no live run is crawling: (run id or None, sites taken, busy site -> run).

    Check and insert happen under the archive's write lock, so two schedulers or two `govnews crawl`
    started at once never take the same site.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE crawl_runs SET id = id WHERE 1 = 0"))  # take SQLite's write lock now
    else:
        session.execute(text("LOCK TABLE crawl_runs IN SHARE ROW EXCLUSIVE MODE"))
    _close_dead(session)
    busy: dict[str, int] = {}
    for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
        for key in run.sites or []:
            if key in site_keys:
                busy[key] = run.id
    free = [k for k in site_keys if k not in busy]
    run_id = None
    if free:
        run = CrawlRun(sites=free, status="running", pid=os.getpid(), host=socket.gethostname(), stats={})
        session.add(run)
        session.flush()
        run_id = run.id
    session.commit()
    return run_id, free, busy


def _close_dead(session: Session) -> list[int]:
    host = socket.gethostname()
    dead = [r for r in session.scalars(select(CrawlRun).where(CrawlRun.status == "running"))
            if r.host == host and not _alive(r.pid)]
    for run in dead:
        run.status = "interrupted"
        run.error = run.error or "the crawl process died (killed or crashed); the next run resumed its work"
        run.finished_at = run.finished_at or utcnow()
        session.execute(
            update(Capture)
            .where(Capture.clean_state == "claimed", Capture.claimed_by.like(f"run{run.id}-%"))
            .values(clean_state="pending", claimed_by=None, claimed_at=None)
        )
    session.flush()
    return [r.id for r in dead]


def walk_modes(session: Session, site_keys: list[str], *, before: int | None = None) -> dict[str, bool]:
    """Per site: True when its list pages must all be walked (first crawl, or the last one did not finish).

    Only runs older than run *before* count (the run asking is itself running).
    """
    latest: dict[str, str] = {}
    q = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(500)
    if before is not None:
        q = q.where(CrawlRun.id < before)
    for run in session.scalars(q):
        for key in run.sites or []:
            latest.setdefault(key, run.status)
    return {k: latest.get(k) != "finished" for k in site_keys}


def list_validators(session: Session, site_keys: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """The ETag and Last-Modified of the newest usable capture of every list page of these sites."""
    out: dict[str, tuple[str | None, str | None]] = {}
    rows = session.execute(
        select(Capture.url, Capture.headers)
        .where(Capture.site_key.in_(site_keys), Capture.kind == "list", Capture.status == 200)
        .order_by(Capture.id)
    )
    for url, headers in rows:
        names = {k.lower(): v for k, v in headers or []}
        if "etag" in names or "last-modified" in names:
            out[url] = (names.get("etag"), names.get("last-modified"))
    return out


def health_warnings(session: Session, site: str, run_id: int, figures: dict[str, int], *,
                    quiet_runs: int = 5) -> list[str]:
    """Signs that a site's template changed or its lists stopped moving, for the run record.

    *figures* are this run's per-site figures (pages, new_articles, errors, ...).
    """
    warnings = []
    empty = session.scalar(
        select(func.count()).select_from(Capture).where(
            Capture.run_id == run_id, Capture.site_key == site, Capture.kind == "article",
            Capture.clean_reason == "empty_body"))
    fetched = session.scalar(
        select(func.count()).select_from(Capture).where(
            Capture.run_id == run_id, Capture.site_key == site, Capture.kind == "article", Capture.status == 200,
            Capture.challenge.is_(None), Capture.body.is_not(None)))
    if fetched >= 5 and empty * 2 >= fetched:
        warnings.append(f"{empty} of {fetched} article pages gave an empty or short body: has the template changed?")
    if figures.get("pages", 0) == 0:
        warnings.append("the site answered nothing in this run")
    elif figures.get("new_articles", 0) == 0 and quiet_runs > 0:
        previous = [r for r in session.scalars(select(CrawlRun).where(CrawlRun.id < run_id)
                                               .order_by(CrawlRun.id.desc()).limit(200))
                    if site in (r.sites or []) and r.status == "finished"][: quiet_runs - 1]
        quiet = [r for r in previous
                 if (r.stats or {}).get("sites", {}).get(site, {}).get("new_articles", 1) == 0
                 and (r.stats or {}).get("sites", {}).get(site, {}).get("pages", 0) > 0]
        if len(previous) == quiet_runs - 1 and len(quiet) == quiet_runs - 1:
            warnings.append(f"no new articles in the last {quiet_runs} runs although the site answers")
    return warnings
