"""Cleaning workers: claim raw captures from the archive, clean them, write articles.

They run beside the crawl process (`govnews crawl` starts them), serve `govnews reprocess`, and need
no Scrapy: a worker imports only cleaners and store.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing.synchronize import Event
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cleaners import CLEANER_VERSION, CleanConfig, clean_html
from cleaners.dedup import DedupConfig, exact_key
from cleaners.language import to_simplified
from cleaners.limits import ExtractionTimeout
from cleaners.verdicts import check_record
from crawler.faults import maybe_die
from store.archive import ArticleRow, capture_body, claim_captures, mark_cleaned, store_article
from store.db import make_engine
from store.models import Capture
from store.search import ensure_index_current
from store.versions import mark_deleted

__all__ = ["WorkerStats", "clean_capture", "drain", "fleet_worker_main", "worker_main"]

logger = logging.getLogger(__name__)
_NOSPACE = re.compile(r"\s+")


@dataclass(slots=True)
class WorkerStats:
    cleaned: int = 0
    articles: int = 0
    deletions: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    failed: int = 0


def _published(record_published: str | None, record_date: str | None) -> tuple[datetime | None, date | None]:
    dt = datetime.fromisoformat(record_published) if record_published else None
    day = date.fromisoformat(record_date) if record_date else None
    return dt, day


def clean_capture(
    session: Session, capture: Capture, config: CleanConfig, stats: WorkerStats, dedup: DedupConfig | None = None
) -> None:
    """Clean one claimed capture and store its article (or the reason it has none); commits."""
    if capture.status in (404, 410):
        gone = mark_deleted(session, capture.url, capture=capture, reason=f"http_{capture.status}")
        stats.deletions += int(gone)
        mark_cleaned(session, capture.id, state="done", reason=f"http_{capture.status}")
        session.commit()
        return
    try:
        body = capture_body(session, capture)
        record, decoded = clean_html(body, url=capture.final_url, content_type=capture.content_type, config=config)
    except ExtractionTimeout:
        mark_cleaned(session, capture.id, state="failed", reason="timeout")
        session.commit()
        stats.failed += 1
        return
    except Exception as exc:  # noqa: BLE001 - a hostile page must not stop the worker; the reason stays on the capture
        logger.warning("Cleaning capture %(id)s failed: %(exc)r", {"id": capture.id, "exc": exc})
        mark_cleaned(session, capture.id, state="failed", reason=f"error: {exc!r}"[:255])
        session.commit()
        stats.failed += 1
        return
    used = decoded.used if decoded else None
    meta = decoded.meta if decoded else None
    verdict = check_record(record, config)
    stats.cleaned += 1
    if not verdict.keep:
        stats.rejected[verdict.reason or "rejected"] = stats.rejected.get(verdict.reason or "rejected", 0) + 1
        if verdict.reason == "soft_404":
            stats.deletions += int(mark_deleted(session, capture.url, capture=capture, reason="soft_404"))
        mark_cleaned(session, capture.id, state="done", reason=verdict.reason, used_charset=used, meta_charset=meta)
        session.commit()
        return
    published_at, published_date = _published(record.published, record.date)
    store_article(
        session,
        ArticleRow(
            url=capture.url,
            site_key=capture.site_key,
            capture_id=capture.id,
            title=record.title,
            published_at=published_at,
            published_date=published_date,
            source=record.source,
            author=record.author,
            editor=record.editor,
            body=record.body,
            body_simplified=record.body_simplified,
            language=record.language,
            script=record.script,
            content_hash=exact_key(record.body_simplified),
            flags=record.flags,
            removed=record.removed,
            cleaner_version=CLEANER_VERSION,
            title_simplified=to_simplified(record.title) if record.title else None,
        ),
        dedup=dedup,
    )
    mark_cleaned(session, capture.id, state="done", reason=None, used_charset=used, meta_charset=meta)
    maybe_die("clean")
    session.commit()
    stats.articles += 1


def drain(db_url: str, *, worker: str = "", config: CleanConfig | None = None,
          stop: Event | None = None, idle_exit: bool = True, poll_s: float = 0.2,
          parent_pid: int | None = None, lease_s: float = 300.0,
          until: Callable[[], bool] | None = None) -> WorkerStats:
    """Clean captures until none wait; with *stop*, keep polling until *stop* is set, then drain.

    With *parent_pid*, a worker whose parent crawl died (SIGKILL) stops too instead of polling forever;
    its claims are released by the next run (store.runs.close_dead_runs). With *until*, an idle worker
    also stops once ``until()`` is true (a fleet worker: the frontier drained).
    """
    config = config or CleanConfig()
    worker = worker or f"{os.uname().nodename}:{os.getpid()}"
    stats = WorkerStats()
    engine = make_engine(db_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory() as session:
            ensure_index_current(session)
            while True:
                batch = claim_captures(session, worker, limit=16, lease_s=lease_s)
                for capture in batch:
                    clean_capture(session, capture, config, stats)
                if parent_pid is not None and os.getppid() != parent_pid:
                    return stats
                if batch:
                    continue
                if (stop is None or stop.is_set()) and idle_exit:
                    return stats
                if until is not None and until():
                    return stats
                time.sleep(poll_s)
    finally:
        engine.dispose()


def worker_main(db_url: str, worker: str, stop: Event, result: Any = None, parent_pid: int | None = None) -> None:
    """Entry point of a worker process started by `govnews crawl`."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop; Ctrl-C goes to it
    stats = drain(db_url, worker=worker, stop=stop, parent_pid=parent_pid)
    if result is not None:
        result.put({"worker": worker, "cleaned": stats.cleaned, "articles": stats.articles,
                    "rejected": stats.rejected, "failed": stats.failed})


def fleet_worker_main(db_url: str, worker: str, stop: Event, result: Any, lease_s: float, exit_when_idle: bool,
                      frontier_url: str | None, frontier_name: str) -> None:
    """Entry point of a `govnews worker` process: clean until stopped (or, with *exit_when_idle*, until
    nothing waits and the frontier, if any, is drained)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent forwards the stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    until = None
    if exit_when_idle:
        if frontier_url:
            from crawler.frontier import Frontier, FrontierUnavailable

            frontier = Frontier(frontier_url, frontier_name)

            def until() -> bool:
                try:
                    return frontier.pending() == 0 and not frontier.processes(alive_within=15.0)
                except FrontierUnavailable:
                    return False
        else:
            until = lambda: True
    stats = drain(db_url, worker=worker, stop=stop, idle_exit=True, lease_s=lease_s, until=until)
    result.put({"worker": worker, "cleaned": stats.cleaned, "articles": stats.articles,
                "rejected": stats.rejected, "failed": stats.failed})
