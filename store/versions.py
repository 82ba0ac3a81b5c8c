"""Versions and deletions: what archivists most want to know about a government page.

A recapture with a changed body makes a new version (the article row is always the newest; older
ones are kept whole in article_versions). A 404, 410 or soft-404 on a recheck marks the article
deleted with the time it was first seen gone; the article and every version stay in the archive.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.models import Article, ArticleVersion, Capture

__all__ = ["DueRecheck", "diff_versions", "due_rechecks", "history", "keep_old_version", "mark_deleted",
           "mark_rechecked"]


def keep_old_version(session: Session, article: Article, *, superseded_by: int) -> None:
    session.add(ArticleVersion(
        article_id=article.id, version=article.version, capture_id=article.capture_id, title=article.title,
        body=article.body, content_hash=article.content_hash, published_at=article.published_at,
        source=article.source, flags=list(article.flags or []), cleaned_at=article.cleaned_at,
        superseded_by_capture_id=superseded_by,
    ))
    session.flush()


def mark_deleted(session: Session, url: str, *, capture: Capture, reason: str) -> bool:
    """Mark the article at *url* gone (first time seen gone kept); False when there is no such article."""
    art = session.execute(select(Article).where(Article.url == url)).scalar_one_or_none()
    if art is None:
        return False
    if art.deleted_at is None:
        art.deleted_at = capture.fetched_at
        art.deleted_reason = reason
        art.deleted_capture_id = capture.id
    art.last_checked_at = capture.fetched_at
    session.flush()
    return True


@dataclass(frozen=True, slots=True)
class DueRecheck:
    url: str
    site_key: str
    step: int  # rechecks the policy asks for by now (recheck_step becomes this once fetched)


def due_rechecks(session: Session, site_keys: Sequence[str], *, days: Sequence[float], now: datetime) -> list[DueRecheck]:
    """Articles the recheck policy (*days* after first capture) wants fetched again at *now*."""
    if not days:
        return []
    ordered = sorted(days)
    first_due = now - timedelta(days=ordered[0])
    rows = session.execute(
        select(Article.url, Article.site_key, Article.first_seen_at, Article.recheck_step).where(
            Article.site_key.in_(list(site_keys)),
            Article.deleted_at.is_(None),
            Article.recheck_step < len(ordered),
            Article.first_seen_at <= first_due,
        ).order_by(Article.id)
    )
    out = []
    for url, site, first_seen, step in rows:
        age = now - first_seen
        wanted = sum(1 for d in ordered if age >= timedelta(days=d))
        if wanted > step:
            out.append(DueRecheck(url, site, wanted))
    return out


def mark_rechecked(session: Session, url: str, *, step: int, at: datetime) -> None:
    session.execute(
        update(Article).where(Article.url == url, or_(Article.recheck_step < step, Article.recheck_step.is_(None)))
        .values(recheck_step=step, last_checked_at=at)
    )


def history(session: Session, url: str) -> dict[str, Any] | None:
    """Every version of the article at *url*, oldest first, and its deletion if any."""
    art = session.execute(select(Article).where(Article.url == url)).scalar_one_or_none()
    if art is None:
        return None
    olds = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == art.id)
                           .order_by(ArticleVersion.version)).all()
    captured = dict(session.execute(select(Capture.id, Capture.fetched_at).where(
        Capture.id.in_([v.capture_id for v in olds] + [art.capture_id]))).all())
    versions = [{"version": v.version, "capture_id": v.capture_id, "captured_at": captured.get(v.capture_id),
                 "title": v.title, "body": v.body, "content_hash": v.content_hash} for v in olds]
    versions.append({"version": art.version, "capture_id": art.capture_id, "captured_at": captured.get(art.capture_id),
                     "title": art.title, "body": art.body, "content_hash": art.content_hash})
    return {"url": art.url, "article_id": art.id, "deleted_at": art.deleted_at, "deleted_reason": art.deleted_reason,
            "versions": versions}


def diff_versions(old: str, new: str, *, old_label: str = "old", new_label: str = "new") -> list[str]:
    """A unified diff of two bodies, one paragraph a line."""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, lineterm="", n=1))
