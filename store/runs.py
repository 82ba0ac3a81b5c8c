"""Crawl-run history as archivists read it: one row per run, totals and per-site figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cleaners.dates import CST
from store.models import CrawlRun

__all__ = ["run_history"]

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
