"""One crawl run: cleaning workers beside one Scrapy crawl process, then the run's record.

The crawl process only fetches, follows links and writes raw captures; workers fed from the capture
table clean them concurrently, so cleaning never caps the fetch rate.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.workers import drain, worker_main
from spiders.profile import Registry, SiteProfile
from store.archive import finish_run, known_article_urls, upsert_sites
from store.db import make_engine, resolve_db_url
from store.migrate import migrate
from store.models import Article, ArticleVersion, Capture, CrawlRun, FetchFailure
from store.runs import health_warnings, list_validators, start_run_exclusive, walk_modes
from store.versions import due_rechecks

__all__ = ["CrawlOptions", "CrawlResult", "run_crawl", "site_summary"]

logger = logging.getLogger(__name__)

SUMMARY_KEYS = ("pages", "articles", "new_articles", "duplicates", "errors", "challenges")


@dataclass(slots=True, kw_only=True)
class CrawlOptions:
    db_url: str | None = None
    sandbox_url: str | None = None
    allow_hosts: Sequence[str] = ()
    workers: int = 1
    settings: dict[str, Any] = field(default_factory=dict)  # -s NAME=VALUE, highest priority
    progress: bool = False
    full: bool = False  # walk every list page even when the last crawl finished


@dataclass(slots=True, kw_only=True)
class CrawlResult:
    run_id: int
    status: str
    finish_reason: str
    sites: dict[str, dict[str, int]]
    cleaning: dict[str, Any]
    busy: dict[str, int] = field(default_factory=dict)  # sites left alone: another live run crawls them


def _scrapy_settings(profiles: Sequence[SiteProfile], opts: CrawlOptions, db_url: str, run_id: int) -> Any:
    from scrapy.settings import Settings

    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    slots = {}
    for p in profiles:
        for host in p.allowed_hosts:
            slots[host] = {"delay": p.politeness.delay, "concurrency": p.politeness.concurrency}
    s.set("DOWNLOAD_SLOTS", slots, priority="project")
    s.set("GOVNEWS_DB", db_url, priority="cmdline")
    s.set("GOVNEWS_RUN_ID", run_id, priority="cmdline")
    s.set("GOVNEWS_ALLOW_HOSTS", list(opts.allow_hosts), priority="cmdline")
    s.set("GOVNEWS_PROGRESS", opts.progress, priority="cmdline")
    if opts.sandbox_url:
        # the sample web is our own server: no need to be gentle with it, but every mechanism stays on
        s.set("GOVNEWS_SANDBOX_URL", opts.sandbox_url, priority="cmdline")
        s.set("AUTOTHROTTLE_ENABLED", False, priority="project")
        s.set("DOWNLOAD_DELAY", 0, priority="project")
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", 4, priority="project")
        s.set("GOVNEWS_CHALLENGE_BACKOFF", 0.05, priority="project")
        s.set("GOVNEWS_RETRY_BACKOFF_BASE", 0.2, priority="project")
    for name, value in opts.settings.items():
        s.set(name, value, priority="cmdline")
    return s


def _setting(opts: CrawlOptions, name: str) -> Any:
    """A govnews setting as this crawl sees it: -s NAME=VALUE over crawler/settings.py."""
    import crawler.settings as defaults

    value = opts.settings.get(name, getattr(defaults, name))
    if name == "GOVNEWS_RECHECK_DAYS" and isinstance(value, str):
        value = [float(v) for v in value.replace(" ", "").split(",") if v]
    return value


def _clock(opts: CrawlOptions) -> datetime:
    value = _setting(opts, "GOVNEWS_CLOCK")
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def site_summary(session: Session, run_id: int, stats: dict[str, Any], keys: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per-site figures of one run: what the crawler counted and what the archive now holds."""
    started = session.get(CrawlRun, run_id).started_at
    new = dict(
        session.execute(
            select(Article.site_key, func.count()).where(Article.first_seen_at >= started).group_by(Article.site_key)
        ).all()
    )
    total = dict(session.execute(select(Article.site_key, func.count()).group_by(Article.site_key)).all())
    versions = dict(
        session.execute(
            select(Article.site_key, func.count())
            .select_from(ArticleVersion)
            .join(Article, Article.id == ArticleVersion.article_id)
            .join(Capture, Capture.id == ArticleVersion.superseded_by_capture_id)
            .where(Capture.run_id == run_id)
            .group_by(Article.site_key)
        ).all()
    )
    deletions = dict(
        session.execute(
            select(Article.site_key, func.count())
            .join(Capture, Capture.id == Article.deleted_capture_id)
            .where(Capture.run_id == run_id)
            .group_by(Article.site_key)
        ).all()
    )
    failures = dict(
        session.execute(
            select(FetchFailure.site_key, func.count()).where(FetchFailure.run_id == run_id).group_by(FetchFailure.site_key)
        ).all()
    )
    out = {}
    for key in keys:
        g = lambda name, k=key: int(stats.get(f"govnews/{k}/{name}", 0))
        out[key] = {
            "pages": g("pages"),
            "articles": int(total.get(key, 0)),
            "new_articles": int(new.get(key, 0)),
            "new_versions": int(versions.get(key, 0)),
            "deletions": int(deletions.get(key, 0)),
            "rechecked": g("rechecked"),
            "duplicates": g("revisits") + g("known_skipped"),
            "errors": g("errors"),
            "failures": int(failures.get(key, 0)),
            "challenges": g("challenges"),
            "robots_blocked": g("failures/robots_disallowed"),
            "offsite_links": g("offsite_links"),
        }
    return out


def run_crawl(profiles: Sequence[SiteProfile], opts: CrawlOptions) -> CrawlResult:
    """Crawl *profiles* once into the archive; blocks until the crawl and its cleaning are done."""
    from scrapy.crawler import CrawlerProcess

    from spiders.base import SiteSpider

    db_url = resolve_db_url(opts.db_url)
    engine = make_engine(db_url)
    migrate(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    keys = [p.key for p in profiles]
    with factory() as session:
        upsert_sites(session, [{"key": p.key, "name": p.name, "base_url": p.base_url, "family": p.family,
                                "profile": p.summary()} for p in profiles])
        run_id, keys, busy = start_run_exclusive(session, keys)
        if run_id is None:
            engine.dispose()
            return CrawlResult(run_id=0, status="skipped", finish_reason="busy", sites={}, cleaning={}, busy=busy)
        profiles = [p for p in profiles if p.key in keys]
        known = known_article_urls(session, keys)
        full_walk = walk_modes(session, keys, before=run_id)
        if opts.full:
            full_walk = dict.fromkeys(keys, True)
        validators = list_validators(session, [k for k in keys if not full_walk[k]])
        due = due_rechecks(session, keys, days=_setting(opts, "GOVNEWS_RECHECK_DAYS"), now=_clock(opts))

    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    results: Any = ctx.Queue()
    procs = [ctx.Process(target=worker_main, args=(db_url, f"run{run_id}-w{i}", stop, results, os.getpid()),
                         daemon=True)
             for i in range(max(opts.workers, 0))]
    for p in procs:
        p.start()

    settings = _scrapy_settings(profiles, opts, db_url, run_id)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    status, reason, error = "failed", "error", None
    try:
        process.crawl(crawler, sites=keys, registry=Registry(list(profiles)), known=known, full_walk=full_walk,
                      validators=validators,
                      rechecks=[(d.url, d.site_key, d.step) for d in due])
        process.start()
        reason = str(crawler.stats.get_value("finish_reason", "unknown"))
        status = "finished" if reason == "finished" else "interrupted"
    except Exception as exc:
        error = repr(exc)
        raise
    finally:
        stop.set()
        cleaning: dict[str, Any] = {"cleaned": 0, "articles": 0, "failed": 0, "rejected": {}}
        for p in procs:
            p.join(timeout=3600)
        while not results.empty():
            r = results.get_nowait()
            for k in ("cleaned", "articles", "failed"):
                cleaning[k] += r[k]
            for k, v in r["rejected"].items():
                cleaning["rejected"][k] = cleaning["rejected"].get(k, 0) + v
        # whatever a dead (or absent) worker left behind is cleaned here, so nothing waits forever
        rest = drain(db_url, worker=f"run{run_id}-final")
        cleaning["cleaned"] += rest.cleaned
        cleaning["articles"] += rest.articles
        cleaning["failed"] += rest.failed
        for k, v in rest.rejected.items():
            cleaning["rejected"][k] = cleaning["rejected"].get(k, 0) + v
        stats = dict(crawler.stats.get_stats() or {})
        with factory() as session:
            summary = site_summary(session, run_id, stats, keys)
            quiet = int(_setting(opts, "GOVNEWS_HEALTH_QUIET_RUNS"))
            for key, figures in summary.items():
                figures["warnings"] = health_warnings(session, key, run_id, figures, quiet_runs=quiet)
            record = {"sites": summary, "cleaning": cleaning, "finish_reason": reason,
                      "requests": int(stats.get("downloader/request_count", 0))}
            finish_run(session, run_id, status=status, stats=record, error=error)
        engine.dispose()
    return CrawlResult(run_id=run_id, status=status, finish_reason=reason, sites=summary, cleaning=cleaning,
                       busy=busy)
