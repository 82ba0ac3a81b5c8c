"""Fleet crawls: `govnews seed` loads a shared frontier, any number of `govnews crawl --frontier`
processes work it off, and the last one to leave a drained frontier records the run as finished.

One fleet crawl is one run in the archive (its captures carry that run's id), whatever the number of
processes and machines, so `govnews runs`, incremental crawls and resume treat it like any other.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import sessionmaker

from crawler.crawl import CrawlOptions, CrawlResult, _clock, _scrapy_settings, _setting, site_summary
from crawler.frontier import Frontier, FrontierUnavailable
from spiders.profile import Registry, SiteProfile
from store.archive import finish_run, known_article_urls, upsert_sites
from store.db import make_engine, resolve_db_url
from store.migrate import migrate
from store.models import CrawlRun
from store.runs import health_warnings, list_validators, start_run_exclusive, walk_modes
from store.versions import due_rechecks

__all__ = ["FleetError", "frontier_status", "run_fleet_crawl", "seed_frontier"]

logger = logging.getLogger(__name__)

SANDBOX_POLITENESS = (0.0, 4)  # the sample web is our own server


class FleetError(RuntimeError):
    """A fleet command cannot go on (no frontier, a frontier of another archive, Redis down)."""


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _frontier(url: str, name: str, *, wait_s: float = 0.0, **kw: Any) -> Frontier:
    """The frontier at *url*; with *wait_s*, Redis may take that long to answer (a restart) before we give up."""
    frontier = Frontier(url, name, **kw)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            frontier.ping()
            return frontier
        except FrontierUnavailable as exc:
            if time.monotonic() >= deadline:
                raise FleetError(f"{exc}; start Redis or check --frontier") from None
            logger.warning("%s; waiting for it", exc)
            time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))


def _spider_for_requests(profiles: Sequence[SiteProfile], full_walk: dict[str, bool],
                         validators: dict[str, tuple[str | None, str | None]]) -> Any:
    from spiders.base import SiteSpider

    return SiteSpider(sites=[p.key for p in profiles], registry=Registry(list(profiles)), full_walk=full_walk,
                      validators=validators, fleet=True)


def seed_frontier(frontier_url: str, *, name: str, db_url: str | None, profiles: Sequence[SiteProfile],
                  sandbox: bool, full: bool = False, reset: bool = False, delay: float | None = None,
                  concurrency: int | None = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Load the start URLs (and due rechecks) of *profiles* into the frontier; returns a summary."""
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    from crawler.frontier import encode_request

    frontier = _frontier(frontier_url, name)
    db_url = resolve_db_url(db_url)
    engine = make_engine(db_url)
    migrate(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    keys = [p.key for p in profiles]
    meta = frontier.meta()
    opts = CrawlOptions(db_url=db_url, settings=dict(settings or {}))
    with factory() as session:
        if meta.get("db") and meta["db"] != _masked(db_url):
            raise FleetError(f"frontier {name!r} belongs to the archive {meta['db']}, not {_masked(db_url)}")
        upsert_sites(session, [{"key": p.key, "name": p.name, "base_url": p.base_url, "family": p.family,
                                "profile": p.summary()} for p in profiles])
        run_id = int(meta["run_id"]) if meta.get("run_id") else None
        appending = run_id is not None and frontier.pending() > 0 and not reset
        if run_id is not None and not appending:
            run = session.get(CrawlRun, run_id)
            if run is not None and run.status == "running":
                drained = frontier.pending() == 0
                finish_run(session, run_id, status="finished" if drained else "interrupted",
                           stats=run.stats or {}, error=None if drained else "frontier reset by `govnews seed --reset`")
            frontier.clear()
        if appending:
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise FleetError(f"frontier {name!r} is crawling run {run_id}, which this archive does not hold; "
                                 "pass the archive it was seeded with, or --reset")
            taken = [k for k in keys if k not in (run.sites or [])]
            run.sites = list(run.sites or []) + taken
            session.commit()
            busy: dict[str, int] = {}
            taken = keys
        else:
            run_id, taken, busy = start_run_exclusive(session, keys)
            if run_id is None:
                return {"run_id": None, "sites": [], "busy": busy, "queued": 0, "frontier": name}
            run = session.get(CrawlRun, run_id)
            run.host = f"fleet:{name}"  # no local process owns it: a dead `govnews crawl` check leaves it alone
            run.pid = None
            session.commit()
        profiles = [p for p in profiles if p.key in taken]
        full_walk = walk_modes(session, taken, before=run_id)
        if full:
            full_walk = dict.fromkeys(taken, True)
        validators = list_validators(session, [k for k in taken if not full_walk[k]])
        due = due_rechecks(session, taken, days=_setting(opts, "GOVNEWS_RECHECK_DAYS"), now=_clock(opts))
    engine.dispose()

    spider = _spider_for_requests(profiles, full_walk, validators)
    fingerprint = RFPDupeFilter(frontier.r, key=frontier.key("seen")).request_fingerprint
    entries = []
    for profile in profiles:
        for url in profile.start_urls():
            req = spider._list_request(profile, url)
            entries.append((fingerprint(req), req.url, encode_request(req.to_dict(spider=spider)), req.priority))
    for d in due:
        req = Request(d.url, callback=spider.parse_article, errback=spider.failed, dont_filter=True, priority=-2,
                      meta={"site": d.site_key, "kind": "article", "recheck_step": d.step})
        entries.append((fingerprint(req), req.url, encode_request(req.to_dict(spider=spider)), req.priority))
    politeness = {}
    for p in profiles:
        d, c = SANDBOX_POLITENESS if sandbox else (p.politeness.delay, p.politeness.concurrency)
        for host in p.allowed_hosts:
            politeness[host] = (d if delay is None else delay, c if concurrency is None else concurrency)
    frontier.set_host_politeness(politeness)
    queued = frontier.push(entries)
    old_sites = json.loads(meta.get("sites", "[]")) if appending else []
    frontier.set_meta(run_id=str(run_id), db=_masked(db_url), sites=sorted(set(old_sites) | set(taken)),
                      sandbox="1" if sandbox else "0", created=meta.get("created") if appending else str(time.time()),
                      full_walk=full_walk)
    return {"run_id": run_id, "sites": taken, "busy": busy, "queued": queued, "rechecks": len(due),
            "frontier": name, "appended": appending}


def fleet_settings(opts: CrawlOptions, frontier_url: str, name: str, *, sandbox: bool) -> dict[str, Any]:
    """The Scrapy settings that make one crawl process a member of the fleet."""
    from crawler import settings as defaults

    dl = dict(defaults.DOWNLOADER_MIDDLEWARES)
    dl["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] = None
    dl["crawler.fleet.FleetRobotsTxtMiddleware"] = 100
    dl["crawler.fleet.FleetGateMiddleware"] = 990  # last before the wire: nothing delays a request after it
    ext = dict(defaults.EXTENSIONS)
    ext["crawler.fleet.FleetExtension"] = 400
    return {
        "GOVNEWS_FRONTIER": frontier_url,
        "GOVNEWS_FRONTIER_NAME": name,
        "SCHEDULER": "crawler.fleet.FleetScheduler",
        "DOWNLOADER_MIDDLEWARES": dl,
        "SPIDER_MIDDLEWARES": {"crawler.fleet.FleetSpiderMiddleware": 5},
        "EXTENSIONS": ext,
        # the fleet-wide gate spaces requests to a host; a per-process delay on top would only add to it
        "DOWNLOAD_DELAY": 0,
        "GOVNEWS_FLEET_DEFAULT_DELAY": SANDBOX_POLITENESS[0] if sandbox else defaults.DOWNLOAD_DELAY,
    }


def run_fleet_crawl(frontier_url: str, name: str, opts: CrawlOptions, registry: Registry) -> CrawlResult:
    """One crawl process of the fleet: works the frontier until it is drained (or this process is stopped)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.workers import drain, worker_main
    from spiders.base import SiteSpider

    lease = float(_setting(opts, "GOVNEWS_FRONTIER_LEASE"))
    frontier = _frontier(frontier_url, name, lease_s=lease, wait_s=float(_setting(opts, "GOVNEWS_FRONTIER_WAIT")))
    meta = frontier.meta()
    if not meta.get("run_id"):
        raise FleetError(f"frontier {name!r} at {frontier_url} is empty: load it with `govnews seed` first")
    db_url = resolve_db_url(opts.db_url)
    if meta.get("db") and meta["db"] != _masked(db_url):
        raise FleetError(f"frontier {name!r} belongs to the archive {meta['db']}, not {_masked(db_url)}; pass --db")
    run_id = int(meta["run_id"])
    keys = json.loads(meta.get("sites", "[]"))
    missing = [k for k in keys if k not in registry]
    if missing:
        raise FleetError(f"the frontier crawls sites this process has no profile for: {', '.join(missing)} "
                         "(pass --profiles FILE or --sandbox URL as `govnews seed` had them)")
    profiles = [registry[k] for k in keys]
    engine = make_engine(db_url)
    migrate(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    full_walk = {k: bool(v) for k, v in json.loads(meta.get("full_walk", "{}")).items()}
    with factory() as session:
        known = known_article_urls(session, keys)
        validators = list_validators(session, [k for k in keys if not full_walk.get(k, True)])

    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    results: Any = ctx.Queue()
    procs = [ctx.Process(target=worker_main, args=(db_url, f"fleet{run_id}-{os.getpid()}-w{i}", stop, results,
                                                   os.getpid()), daemon=True)
             for i in range(max(opts.workers, 0))]
    for p in procs:
        p.start()

    settings = _scrapy_settings(profiles, opts, db_url, run_id)
    for key, value in fleet_settings(opts, frontier_url, name, sandbox=meta.get("sandbox") == "1").items():
        if key not in opts.settings:
            settings.set(key, value, priority="cmdline")
    for slot in settings.getdict("DOWNLOAD_SLOTS").values():
        slot["delay"] = 0  # spacing is the fleet gate's job
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    cleaning: dict[str, Any] = {"cleaned": 0, "articles": 0, "failed": 0, "rejected": {}}
    try:
        process.crawl(crawler, sites=keys, registry=Registry(list(profiles)), known=known, full_walk=full_walk,
                      validators=validators, fleet=True)
        process.start()
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=3600)
        while not results.empty():
            r = results.get_nowait()
            for k in ("cleaned", "articles", "failed"):
                cleaning[k] += r[k]
        if procs:
            rest = drain(db_url, worker=f"fleet{run_id}-{os.getpid()}-final")
            cleaning["cleaned"] += rest.cleaned
            cleaning["articles"] += rest.articles
    reason = str(crawler.stats.get_value("finish_reason", "unknown"))
    own = dict(crawler.stats.get_stats() or {})
    status = "running"
    summary: dict[str, dict[str, int]] = {}
    try:
        drained = frontier.pending() == 0
        others = [c for c in frontier.processes(alive_within=max(3 * min(lease / 3, 5.0), 2.0))
                  if c != frontier.consumer]
        if drained and not others and frontier.claim_finish():
            stats = {k.removeprefix("crawl:"): int(v) for k, v in frontier.r.hgetall(frontier.key("stats")).items()
                     if k.startswith("crawl:")}
            with factory() as session:
                summary = site_summary(session, run_id, stats, keys)
                quiet = int(_setting(opts, "GOVNEWS_HEALTH_QUIET_RUNS"))
                for key, figures in summary.items():
                    figures["warnings"] = health_warnings(session, key, run_id, figures, quiet_runs=quiet)
                counts = frontier.counts()
                record = {"sites": summary, "finish_reason": "finished", "frontier": {"name": name, **counts},
                          "requests": int(stats.get("downloader/request_count", 0))}
                finish_run(session, run_id, status="finished", stats=record)
            status = "finished"
        elif drained:
            status = "finished"
    except FrontierUnavailable as exc:
        logger.error("Frontier unavailable at the end of this process: %s", exc)
    if not summary:
        with factory() as session:
            summary = site_summary(session, run_id, own, keys)
    engine.dispose()
    return CrawlResult(run_id=run_id, status=status, finish_reason=reason, sites=summary, cleaning=cleaning)


def frontier_status(frontier_url: str, name: str) -> dict[str, Any]:
    """What the fleet is doing: queues per host, leases, processes alive, pages/s."""
    frontier = _frontier(frontier_url, name)
    meta = frontier.meta()
    procs = frontier.processes(alive_within=30.0)
    now = time.time()
    rate = 0.0
    for info in procs.values():
        elapsed = max(now - float(info.get("started", now)), 1e-6)
        rate += float(info.get("pages", 0)) / elapsed
    stats = frontier.r.hgetall(frontier.key("stats"))
    return {
        "frontier": name,
        "run_id": int(meta["run_id"]) if meta.get("run_id") else None,
        "sites": json.loads(meta.get("sites", "[]")),
        "archive": meta.get("db"),
        "finished": bool(frontier.r.exists(frontier.key("finished"))),
        **frontier.counts(),
        "expired_leases": int(stats.get("expired", 0)),
        "processes": [{"id": c, **info} for c, info in sorted(procs.items())],
        "pages_per_s": round(rate, 2),
        "hosts": frontier.hosts(),
        "redis_memory_bytes": frontier.memory_bytes(),
    }
